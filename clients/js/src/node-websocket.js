/**
 * A minimal WebSocket client for Node (RFC 6455 over `node:net`/`node:tls`), shaped like
 * the browser's `WebSocket` so it can be passed as the `WebSocket` option of
 * {@link TopicsFlowClient}.  It offers no extensions (the protocol recommends native
 * clients not to compress) and can send extra handshake headers, e.g.
 * `Authorization: Bearer`.  Browsers use their own WebSocket; this module imports Node
 * built-ins and is not for them.
 * @module
 */

import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** @param {string} type @param {object} [fields] */
function event(type, fields = {}) {
  return Object.assign(new Event(type), fields);
}

/** A browser-shaped WebSocket for Node. */
export class NodeWebSocket extends EventTarget {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;

  /**
   * @param {string} url  `ws://` or `wss://`
   * @param {string|string[]} [protocols]
   * @param {{headers?: Record<string, string>}} [options]
   */
  constructor(url, protocols = [], options = {}) {
    super();
    const target = new URL(url);
    if (target.protocol !== 'ws:' && target.protocol !== 'wss:') throw new SyntaxError(`not a ws URL: ${url}`);
    this.url = url;
    this.protocol = '';
    this.extensions = '';
    this.binaryType = 'arraybuffer';
    this.readyState = NodeWebSocket.CONNECTING;
    /** @type {Buffer} */
    this._buffer = Buffer.alloc(0);
    /** @type {Buffer[]} */
    this._fragments = [];
    this._fragmentOpcode = 0;
    this._closeSent = false;
    this._closeCode = 1006;
    this._closeReason = '';
    this._handshakeDone = false;
    const offered = typeof protocols === 'string' ? [protocols] : protocols;
    const key = randomBytes(16).toString('base64');
    this._expectedAccept = createHash('sha1').update(key + GUID).digest('base64');
    this._offered = offered;
    const secure = target.protocol === 'wss:';
    const port = Number(target.port || (secure ? 443 : 80));
    const socket = secure
      ? tls.connect({ host: target.hostname, port, servername: target.hostname })
      : net.connect({ host: target.hostname, port });
    this._socket = socket;
    socket.setNoDelay(true);
    const lines = [
      `GET ${target.pathname || '/'}${target.search} HTTP/1.1`,
      `Host: ${target.host}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${key}`,
      'Sec-WebSocket-Version: 13',
    ];
    if (offered.length) lines.push(`Sec-WebSocket-Protocol: ${offered.join(', ')}`);
    for (const [name, value] of Object.entries(options.headers ?? {})) lines.push(`${name}: ${value}`);
    socket.on(secure ? 'secureConnect' : 'connect', () => socket.write(`${lines.join('\r\n')}\r\n\r\n`));
    socket.on('data', (chunk) => this._onData(chunk));
    socket.on('error', () => this._fail());
    socket.on('close', () => this._finish());
  }

  /** @param {string|ArrayBuffer|ArrayBufferView} data */
  send(data) {
    if (this.readyState !== NodeWebSocket.OPEN) throw new Error('the WebSocket is not open');
    if (typeof data === 'string') this._writeFrame(0x1, Buffer.from(data, 'utf8'));
    else if (ArrayBuffer.isView(data)) this._writeFrame(0x2, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    else this._writeFrame(0x2, Buffer.from(data));
  }

  /** @param {number} [code] @param {string} [reason] */
  close(code = 1000, reason = '') {
    if (this.readyState === NodeWebSocket.CLOSED || this.readyState === NodeWebSocket.CLOSING) return;
    if (this.readyState === NodeWebSocket.CONNECTING) {
      this._socket.destroy();
      return;
    }
    this.readyState = NodeWebSocket.CLOSING;
    this._sendClose(code, reason);
    // The server answers with its close frame and ends the TCP connection.
    setTimeout(() => this._socket.destroy(), 5000).unref();
  }

  /** @param {number} code @param {string} reason */
  _sendClose(code, reason) {
    if (this._closeSent) return;
    this._closeSent = true;
    const text = Buffer.from(reason, 'utf8');
    const payload = Buffer.alloc(2 + text.length);
    payload.writeUInt16BE(code, 0);
    text.copy(payload, 2);
    this._writeFrame(0x8, payload);
  }

  /** @param {number} opcode @param {Buffer} payload */
  _writeFrame(opcode, payload) {
    const length = payload.length;
    let header;
    if (length < 126) {
      header = Buffer.from([0x80 | opcode, 0x80 | length]);
    } else if (length < 0x10000) {
      header = Buffer.alloc(4);
      header[0] = 0x80 | opcode;
      header[1] = 0x80 | 126;
      header.writeUInt16BE(length, 2);
    } else {
      header = Buffer.alloc(10);
      header[0] = 0x80 | opcode;
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(length), 2);
    }
    const mask = randomBytes(4);
    const masked = Buffer.alloc(length);
    for (let i = 0; i < length; i += 1) masked[i] = payload[i] ^ mask[i & 3];
    this._socket.write(Buffer.concat([header, mask, masked]));
  }

  /** @param {Buffer} chunk */
  _onData(chunk) {
    this._buffer = Buffer.concat([this._buffer, chunk]);
    if (!this._handshakeDone) {
      const end = this._buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this._buffer.subarray(0, end).toString('latin1');
      this._buffer = this._buffer.subarray(end + 4);
      if (!this._acceptHandshake(head)) {
        this._socket.destroy();
        return;
      }
      this._handshakeDone = true;
      this.readyState = NodeWebSocket.OPEN;
      this.dispatchEvent(event('open'));
    }
    this._readFrames();
  }

  /** @param {string} head */
  _acceptHandshake(head) {
    const [status, ...headerLines] = head.split('\r\n');
    if (!/^HTTP\/1\.1 101\b/.test(status)) return false;
    /** @type {Record<string, string>} */
    const headers = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    if (headers['sec-websocket-accept'] !== this._expectedAccept) return false;
    const picked = headers['sec-websocket-protocol'] ?? '';
    if (picked && !this._offered.includes(picked)) return false;
    if (headers['sec-websocket-extensions']) return false;
    this.protocol = picked;
    return true;
  }

  _readFrames() {
    while (this._buffer.length >= 2) {
      const first = this._buffer[0];
      const second = this._buffer[1];
      let length = second & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this._buffer.length < 4) return;
        length = this._buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this._buffer.length < 10) return;
        length = Number(this._buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (second & 0x80 || first & 0x70 || length > MAX_MESSAGE_BYTES) {
        this._protocolError();
        return;
      }
      if (this._buffer.length < offset + length) return;
      const payload = Buffer.from(this._buffer.subarray(offset, offset + length));
      this._buffer = this._buffer.subarray(offset + length);
      this._onFrame((first & 0x80) !== 0, first & 0x0f, payload);
      if (this.readyState === NodeWebSocket.CLOSED) return;
    }
  }

  /** @param {boolean} fin @param {number} opcode @param {Buffer} payload */
  _onFrame(fin, opcode, payload) {
    if (opcode === 0x9) {
      if (!this._closeSent) this._writeFrame(0xa, payload);
      return;
    }
    if (opcode === 0xa) return;
    if (opcode === 0x8) {
      this._closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      this._closeReason = payload.subarray(2).toString('utf8');
      if (!this._closeSent) this._sendClose(this._closeCode === 1005 ? 1000 : this._closeCode, '');
      this.readyState = NodeWebSocket.CLOSING;
      this._socket.end();
      return;
    }
    if (opcode === 0x1 || opcode === 0x2) {
      this._fragmentOpcode = opcode;
      this._fragments = [payload];
    } else if (opcode === 0x0) {
      this._fragments.push(payload);
    } else {
      this._protocolError();
      return;
    }
    if (!fin) return;
    const message = Buffer.concat(this._fragments);
    this._fragments = [];
    const data = this._fragmentOpcode === 0x1
      ? message.toString('utf8')
      : message.buffer.slice(message.byteOffset, message.byteOffset + message.byteLength);
    this.dispatchEvent(event('message', { data }));
  }

  _protocolError() {
    this._closeCode = 1002;
    this._sendClose(1002, '');
    this._socket.destroy();
  }

  _fail() {
    if (this.readyState !== NodeWebSocket.CLOSED && !this._errored) {
      this._errored = true;
      this.dispatchEvent(event('error'));
    }
  }

  _finish() {
    if (this.readyState === NodeWebSocket.CLOSED) return;
    const clean = this._closeSent && this._closeCode !== 1006;
    this.readyState = NodeWebSocket.CLOSED;
    if (!this._handshakeDone) this._fail();
    this.dispatchEvent(event('close', { code: clean || this._closeCode !== 1006 ? this._closeCode : 1006, reason: this._closeReason, wasClean: clean }));
  }
}
