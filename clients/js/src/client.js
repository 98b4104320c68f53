/**
 * The WebSocket client of protocol v1 (docs/PROTOCOL.md): one connection that survives
 * reconnects, request/reply by id with timeouts, subscriptions resumed by `since_seq`.
 *
 * Contract (the same as the Python SDK, `bots/client.py`):
 *
 * - {@link TopicsFlowClient#request} sends a frame with the next id and resolves with its
 *   one reply (`ack`, `subscribed` or `pong`).  An `error` reply rejects with
 *   {@link RequestError}; a connection lost before the reply with
 *   {@link ConnectionLostError}; no reply within the timeout (the wait for a connection
 *   included) with {@link RequestTimeoutError}.  In the last two cases the request may or
 *   may not have taken effect: repeat sends with the same `nonce`.
 * - Channel events are emitted in order, each sequenced event at most once: the client
 *   remembers the last `seq` per subscribed channel, drops repeats, and answers a gap by
 *   subscribing again with `since_seq`.
 * - A lost connection is reopened with exponential backoff and jitter (honouring
 *   `goodbye.reconnect_after_ms`); the client authenticates again and re-subscribes every
 *   channel with `since_seq`, so a resumed subscription delivers exactly what was missed.
 *   A resume the server reports as incomplete is emitted as `resume_incomplete`.  Close
 *   codes the protocol marks as final (1002, 1008, 4001, 4003) end the client (`end`).
 * - Heartbeats: a `ping` whenever nothing was sent for a while, on a timer started at a
 *   random point of the first interval; a ping without a pong drops the connection.
 * @module
 */

import { CODECS, SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK } from './codecs.js';
import { ConnectionLostError, RequestError, RequestTimeoutError } from './errors.js';

/** Close codes of protocol section 7. */
export const CloseCode = Object.freeze({
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  ABNORMAL: 1006,
  POLICY_VIOLATION: 1008,
  TOO_LARGE: 1009,
  INTERNAL_ERROR: 1011,
  SLOW_CONSUMER: 4000,
  UNAUTHORIZED: 4001,
  FORBIDDEN: 4003,
  RATE_LIMITED: 4008,
  HEARTBEAT_TIMEOUT: 4009,
});

/** Codes after which the client must not reconnect on its own. */
const FINAL_CLOSE_CODES = new Set([1000, 1002, 1008, 4001, 4003]);
const REPLY_TYPES = new Set(['ack', 'error', 'pong', 'subscribed']);
const CONTROL_TYPES = new Set(['evicted', 'warning', 'goodbye']);
const DEFAULT_HEARTBEAT_MS = 25000;
const DEFAULT_MAX_FRAME_BYTES = 65536;
/** Close code the client uses when it drops a connection itself (dead heartbeat, tests). */
const CLIENT_DROP_CODE = 4900;

/**
 * Whether the protocol says to reconnect after close `code`.
 * @param {number|null|undefined} code
 */
export function shouldReconnect(code) {
  return code === null || code === undefined || !FINAL_CLOSE_CODES.has(code);
}

/**
 * `<kind>:<id>` channel names.
 * @type {{topic(id: string): string, post(id: string): string, chatRoom(id: string): string, dm(id: string): string, user(id: string): string, call(id: string): string}}
 */
export const channels = Object.freeze({
  topic: (id) => `topic:${id}`,
  post: (id) => `post:${id}`,
  chatRoom: (id) => `chat_room:${id}`,
  dm: (id) => `dm:${id}`,
  user: (id) => `user:${id}`,
  call: (id) => `call:${id}`,
});

/** @param {object} frame */
function withoutUndefined(frame) {
  return Object.fromEntries(Object.entries(frame).filter(([, value]) => value !== undefined));
}

/** A promise with its settle functions. */
function deferred() {
  /** @type {(value?: any) => void} */
  let resolve = () => {};
  /** @type {(error: any) => void} */
  let reject = () => {};
  const promise = new Promise((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/**
 * One WebSocket, from upgrade to close.
 * @private
 */
class Connection {
  /** @param {WebSocket} socket @param {import('./codecs.js').Codec} codec */
  constructor(socket, codec) {
    this.socket = socket;
    this.codec = codec;
    this.lost = false;
    /** @type {{code: number, reason: string}|null} */
    this.closeInfo = null;
    this.closed = deferred();
    this.lastSentAt = Date.now();
  }

  /** @param {object} frame */
  send(frame) {
    this.socket.send(this.codec.encode(frame));
    this.lastSentAt = Date.now();
  }

  /** Mark the connection lost (once) with `code`. @param {number} code @param {string} reason */
  lose(code, reason = '') {
    if (this.lost) return;
    this.lost = true;
    this.closeInfo = { code, reason };
    this.closed.resolve(this.closeInfo);
  }
}

/**
 * @typedef {object} ClientOptions
 * @property {string} url  The WebSocket endpoint, e.g. `ws://127.0.0.1:8000/ws`.
 * @property {string} [token]  A session token, sent in an `authenticate` frame.  Without
 *   it the connection relies on the browser's session cookie (same origin).
 * @property {typeof WebSocket} [WebSocket]  The WebSocket constructor (default: the global one).
 * @property {('json'|'msgpack')[]} [encodings]  Offered in this order (default `['json']`).
 * @property {number} [requestTimeoutMs]  Default 30000.
 * @property {boolean} [reconnect]  Default true.
 * @property {number} [backoffInitialMs]  First reconnect delay before jitter (default 1000).
 * @property {number} [backoffMaxMs]  Cap of the reconnect delay (default 30000).
 * @property {boolean} [heartbeat]  Send pings when idle (default true).
 * @property {() => number} [random]  Jitter source in [0, 1) (default Math.random).
 */

/** A connection to one TopicsFlow server that survives reconnects. */
export class TopicsFlowClient {
  /** @param {ClientOptions} options */
  constructor(options) {
    if (!options || typeof options.url !== 'string') throw new TypeError('options.url is required');
    this.url = options.url;
    this.token = options.token ?? null;
    this.WebSocket = options.WebSocket ?? globalThis.WebSocket;
    if (typeof this.WebSocket !== 'function') {
      throw new TypeError('no WebSocket constructor: pass options.WebSocket (Node 20: --experimental-websocket)');
    }
    const names = { json: SUBPROTOCOL_JSON, msgpack: SUBPROTOCOL_MSGPACK };
    this.subprotocols = (options.encodings ?? ['json']).map((encoding) => {
      if (!(encoding in names)) throw new TypeError(`unknown encoding ${encoding}`);
      return names[encoding];
    });
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30000;
    this.reconnectEnabled = options.reconnect ?? true;
    this.backoffInitialMs = options.backoffInitialMs ?? 1000;
    this.backoffMaxMs = options.backoffMaxMs ?? 30000;
    this.heartbeatEnabled = options.heartbeat ?? true;
    this.random = options.random ?? Math.random;

    /** `idle`, `connecting`, `open`, `reconnecting` or `closed`. */
    this.state = 'idle';
    /** The `authenticated` result of the current connection (null with cookie auth). */
    this.session = null;
    /** The subprotocol the server picked for the current connection. */
    this.protocol = null;
    /** How many times the client reconnected. */
    this.reconnects = 0;
    /** The close code that ended the client, once it ended. */
    this.closeCode = null;

    /** @type {Map<string, Set<Function>>} */
    this._listeners = new Map();
    /** @type {Map<string, number>} last processed seq per subscribed channel */
    this._lastSeq = new Map();
    /** @type {Set<string>} channels being re-subscribed after a gap */
    this._recovering = new Set();
    /** @type {Map<number, any>} */
    this._pending = new Map();
    this._nextId = 1;
    /** @type {Connection|null} */
    this._connection = null;
    this._ready = deferred();
    this._ready.promise.catch(() => {});
    this._readySettled = false;
    this._closed = false;
    /** @type {any} */
    this._goodbye = null;
    /** @type {ReturnType<typeof setTimeout>|null} */
    this._heartbeatTimer = null;
    /** @type {(() => void)|null} */
    this._wakeBackoff = null;
    /** @type {Promise<any>|null} */
    this._started = null;
  }

  // ------------------------------------------------------------------ events

  /**
   * Listen to `type`: a server frame type (`message_created`, `typing`, `goodbye`, …),
   * `event` (every channel event), or a lifecycle event (`open`, `close`, `reconnecting`,
   * `resume_incomplete`, `end`, `state`).  Returns a function that removes the listener.
   * @param {string} type
   * @param {(payload: any) => void} listener
   * @returns {() => void}
   */
  on(type, listener) {
    let set = this._listeners.get(type);
    if (!set) this._listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => this.off(type, listener);
  }

  /** @param {string} type @param {(payload: any) => void} listener */
  off(type, listener) {
    this._listeners.get(type)?.delete(listener);
  }

  /** @param {string} type @param {any} payload */
  _emit(type, payload) {
    for (const listener of [...(this._listeners.get(type) ?? [])]) {
      try {
        listener(payload);
      } catch (error) {
        if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
        else console.error(error);
      }
    }
  }

  /**
   * The next payload emitted as `type` that satisfies `predicate`.
   * @param {string} type
   * @param {(payload: any) => boolean} [predicate]
   * @param {{timeoutMs?: number}} [options]
   * @returns {Promise<any>}
   */
  waitFor(type, predicate = () => true, options = {}) {
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    return new Promise((resolve, reject) => {
      const off = this.on(type, (payload) => {
        if (!predicate(payload)) return;
        off();
        clearTimeout(timer);
        resolve(payload);
      });
      const timer = setTimeout(() => {
        off();
        reject(new RequestTimeoutError(`waitFor(${type})`, timeoutMs));
      }, timeoutMs);
    });
  }

  /** @param {string} state */
  _setState(state) {
    if (this.state === state) return;
    this.state = state;
    this._emit('state', state);
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Open the first connection and authenticate; resolves with the `authenticated` result
   * (null with cookie authentication).  Rejects when the first connection fails, and then
   * does not retry.  Later losses reconnect in the background.
   * @returns {Promise<any>}
   */
  connect() {
    if (this._started) return this._started;
    const first = deferred();
    this._started = first.promise;
    this._run(first);
    return first.promise;
  }

  /** Close the connection and stop reconnecting. */
  close(code = 1000) {
    if (this._closed) return;
    this._closed = true;
    this._stopHeartbeat();
    this._wakeBackoff?.();
    const connection = this._connection;
    if (connection && !connection.lost) {
      try {
        connection.socket.close(code);
      } catch {
        // already closing
      }
      this._lost(connection, code, 'closed by the client');
    }
    this._finish(code, 'closed by the client');
  }

  /** Drop the current connection as a network failure would; the client reconnects. */
  dropConnection() {
    const connection = this._connection;
    if (!connection || connection.lost) return;
    try {
      connection.socket.close(CLIENT_DROP_CODE);
    } catch {
      // already closing
    }
    this._lost(connection, CloseCode.ABNORMAL, 'dropped by the client');
  }

  /** @param {number|null} code @param {string} reason @param {any} [error] */
  _finish(code, reason, error = null) {
    if (this.state === 'closed') return;
    this._closed = true;
    this._stopHeartbeat();
    const ended = new ConnectionLostError(`the client ended (${reason})`, code);
    this._rejectPending(() => true, ended);
    this._readySettled = true;
    this._ready.reject(ended);
    this.closeCode = code;
    this._setState('closed');
    this._emit('end', { code, reason, error });
  }

  /** @param {{resolve: Function, reject: Function}} first */
  async _run(first) {
    let attempt = 0;
    let started = false;
    while (!this._closed) {
      this._setState(started ? 'reconnecting' : 'connecting');
      /** @type {Connection|null} */
      let connection = null;
      try {
        connection = await this._openSocket();
        this._connection = connection;
        const session = await this._handshake(connection);
        if (this._closed) break;
        this.session = session;
        attempt = 0;
        this._goodbye = null;
        this._setState('open');
        this._readySettled = true;
        this._ready.resolve(connection);
        this._startHeartbeat(connection);
        this._emit('open', { reconnect: started, session });
        if (!started) {
          started = true;
          first.resolve(session);
        } else {
          this.reconnects += 1;
        }
      } catch (error) {
        if (connection && !connection.lost) {
          try {
            connection.socket.close(1000);
          } catch {
            // already closing
          }
          this._lost(connection, CloseCode.ABNORMAL, 'handshake failed');
        }
        if (!started) {
          this._finish(connection?.closeInfo?.code ?? null, 'the first connection failed', error);
          first.reject(error);
          return;
        }
        if (error instanceof RequestError && error.code === 'unauthorized') {
          this._finish(CloseCode.UNAUTHORIZED, 'authentication refused', error);
          return;
        }
      }
      const info = connection ? await connection.closed.promise : { code: CloseCode.ABNORMAL, reason: '' };
      this._stopHeartbeat();
      if (this._readySettled && !this._closed) {
        this._ready = deferred();
        this._ready.promise.catch(() => {});
        this._readySettled = false;
      }
      if (connection) this._lost(connection, info.code, info.reason);
      if (this._closed) break;
      const reconnect = this.reconnectEnabled && shouldReconnect(info.code);
      const delayMs = reconnect ? this._backoffDelay(attempt) : 0;
      this._emit('close', { code: info.code, reason: info.reason, willReconnect: reconnect, delayMs });
      if (!reconnect) {
        this._finish(info.code, info.reason || 'closed by the server');
        return;
      }
      attempt += 1;
      this._emit('reconnecting', { attempt, delayMs });
      await this._sleep(delayMs);
    }
  }

  /** @param {number} attempt */
  _backoffDelay(attempt) {
    const requested = this._goodbye?.reconnect_after_ms;
    this._goodbye = null;
    if (typeof requested === 'number') return requested * (1 + 0.2 * this.random());
    const base = Math.min(this.backoffMaxMs, this.backoffInitialMs * 2 ** attempt);
    return Math.min(this.backoffMaxMs, base * (0.5 + this.random()));
  }

  /** @param {number} ms */
  _sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve(undefined);
      }
      this._wakeBackoff = done;
    }).finally(() => {
      this._wakeBackoff = null;
    });
  }

  /** @returns {Promise<Connection>} */
  _openSocket() {
    return new Promise((resolve, reject) => {
      let socket;
      try {
        socket = new this.WebSocket(this.url, this.subprotocols);
      } catch (error) {
        reject(error);
        return;
      }
      socket.binaryType = 'arraybuffer';
      /** @type {Connection|null} */
      let connection = null;
      socket.addEventListener('open', () => {
        const codec = CODECS[socket.protocol];
        if (!codec) {
          socket.close(1000);
          reject(new ConnectionLostError(`the server picked no offered subprotocol (${socket.protocol})`));
          return;
        }
        this.protocol = socket.protocol;
        connection = new Connection(socket, codec);
        resolve(connection);
      });
      socket.addEventListener('message', (event) => {
        if (connection && !connection.lost) this._onMessage(connection, event.data);
      });
      socket.addEventListener('close', (event) => {
        if (connection) this._lost(connection, event.code, event.reason);
        else reject(new ConnectionLostError(`could not connect to ${this.url} (${event.code})`, event.code));
      });
      socket.addEventListener('error', () => {
        // A 'close' event follows every 'error'.
      });
    });
  }

  /** Mark `connection` lost and fail the requests sent on it. @param {Connection} connection @param {number} code @param {string} reason */
  _lost(connection, code, reason) {
    connection.lose(code, reason);
    this._rejectPending(
      (entry) => entry.connection === connection,
      new ConnectionLostError(`the connection closed (${code})`, code),
    );
  }

  /** Authenticate (token) and re-subscribe every channel. @param {Connection} connection */
  async _handshake(connection) {
    let session = null;
    if (this.token) {
      const reply = await this._requestOn(connection, { type: 'authenticate', token: this.token });
      session = reply.result ?? null;
    }
    for (const [channel, since] of [...this._lastSeq]) {
      if (connection.lost) throw new ConnectionLostError('lost while resubscribing');
      try {
        await this._requestOn(connection, { type: 'subscribe', channel, since_seq: since }, {
          onReply: (reply) => this._applySubscribed(channel, since, reply),
        });
      } catch (error) {
        if (!(error instanceof RequestError)) throw error;
        this._lastSeq.delete(channel);
        this._emit('evicted', { type: 'evicted', channel, reason: error.code });
      }
    }
    return session;
  }

  // ------------------------------------------------------------------ requests

  /**
   * Send `frame` (without `id`) and resolve with its reply.
   * @param {{type: string, [field: string]: any}} frame
   * @param {{timeoutMs?: number, onReply?: (reply: any) => void}} [options]
   * @returns {Promise<any>}
   */
  request(frame, options = {}) {
    if (this._closed) return Promise.reject(new ConnectionLostError('the client is closed'));
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    const id = this._nextId++;
    const message = withoutUndefined({ ...frame, id });
    const entry = this._register(id, frame.type, timeoutMs, options.onReply);
    const current = this._connection;
    if (current && !current.lost && this.state === 'open') {
      this._sendEntry(current, entry, message);
    } else {
      this._ready.promise.then((connection) => this._sendEntry(connection, entry, message), () => {});
    }
    return entry.promise;
  }

  /** @param {Connection} connection @param {object} frame @param {{timeoutMs?: number, onReply?: Function}} [options] */
  _requestOn(connection, frame, options = {}) {
    const id = this._nextId++;
    const entry = this._register(id, frame.type, options.timeoutMs ?? this.requestTimeoutMs, options.onReply);
    this._sendEntry(connection, entry, withoutUndefined({ ...frame, id }));
    return entry.promise;
  }

  /** @param {number} id @param {string} type @param {number} timeoutMs @param {Function} [onReply] */
  _register(id, type, timeoutMs, onReply) {
    const settle = deferred();
    const entry = {
      id, type, onReply, connection: /** @type {Connection|null} */ (null),
      promise: settle.promise, resolve: settle.resolve, reject: settle.reject,
      timer: setTimeout(() => {
        this._pending.delete(id);
        settle.reject(new RequestTimeoutError(type, timeoutMs));
      }, timeoutMs),
    };
    this._pending.set(id, entry);
    return entry;
  }

  /** @param {Connection} connection @param {any} entry @param {object} message */
  _sendEntry(connection, entry, message) {
    if (!this._pending.has(entry.id)) return;
    if (connection.lost) {
      const code = connection.closeInfo?.code ?? null;
      this._settle(entry, null, new ConnectionLostError('the connection closed before sending', code));
      return;
    }
    const encoded = connection.codec.encode(message);
    const size = typeof encoded === 'string' ? new TextEncoder().encode(encoded).length : encoded.length;
    const limit = this.session?.max_frame_bytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (size > limit) {
      this._settle(entry, null, new RequestError('too_large', `the frame is ${size} bytes, over ${limit}`));
      return;
    }
    entry.connection = connection;
    try {
      connection.socket.send(encoded);
      connection.lastSentAt = Date.now();
    } catch (error) {
      this._settle(entry, null, new ConnectionLostError(String(error)));
    }
  }

  /** @param {any} entry @param {any} reply @param {any} error */
  _settle(entry, reply, error) {
    this._pending.delete(entry.id);
    clearTimeout(entry.timer);
    if (error) entry.reject(error);
    else entry.resolve(reply);
  }

  /** @param {(entry: any) => boolean} which @param {Error} error */
  _rejectPending(which, error) {
    for (const entry of [...this._pending.values()]) {
      if (which(entry)) this._settle(entry, null, error);
    }
  }

  // ------------------------------------------------------------------ incoming frames

  /** @param {Connection} connection @param {any} data */
  _onMessage(connection, data) {
    let frame;
    try {
      frame = connection.codec.decode(data);
    } catch (error) {
      this._emit('decode_error', error);
      return;
    }
    if (!frame || typeof frame.type !== 'string') return;
    if (REPLY_TYPES.has(frame.type) && typeof frame.id === 'number') {
      const entry = this._pending.get(frame.id);
      if (!entry) return;
      if (frame.type === 'error') {
        this._settle(entry, null, new RequestError(frame.code, frame.message, {
          retryAfterMs: frame.retry_after_ms ?? null, frame,
        }));
      } else {
        entry.onReply?.(frame);
        this._settle(entry, frame, null);
      }
      return;
    }
    if (frame.type === 'error') {
      this._emit('error_frame', frame);
      return;
    }
    if (frame.type === 'goodbye') {
      this._goodbye = frame;
      this._emit('goodbye', frame);
      return;
    }
    if (frame.type === 'evicted') {
      const last = this._lastSeq.get(frame.channel);
      if (frame.reason === 'resubscribe' && last !== undefined) {
        this._resubscribe(frame.channel, last);
      } else {
        this._lastSeq.delete(frame.channel);
      }
      this._emit('evicted', frame);
      return;
    }
    if (CONTROL_TYPES.has(frame.type) || typeof frame.channel !== 'string') {
      this._emit(frame.type, frame);
      return;
    }
    this._deliver(frame);
  }

  /** @param {any} event */
  _deliver(event) {
    const { channel, seq } = event;
    if (typeof seq === 'number') {
      const last = this._lastSeq.get(channel);
      if (last === undefined || seq <= last) return;
      if (seq > last + 1) {
        this._resubscribe(channel, last);
        return;
      }
      this._lastSeq.set(channel, seq);
    }
    this._emit('event', event);
    this._emit(event.type, event);
  }

  /** Subscribe again after a gap or at the server's request. @param {string} channel @param {number} since */
  _resubscribe(channel, since) {
    if (this._recovering.has(channel)) return;
    this._recovering.add(channel);
    this.request({ type: 'subscribe', channel, since_seq: since }, {
      onReply: (reply) => this._applySubscribed(channel, since, reply),
    }).catch(() => {}).finally(() => this._recovering.delete(channel));
  }

  /** @param {string} channel @param {number|undefined} since @param {any} reply */
  _applySubscribed(channel, since, reply) {
    if (since === undefined) {
      this._lastSeq.set(channel, reply.last_seq);
    } else if (reply.complete) {
      this._lastSeq.set(channel, since);
    } else {
      this._lastSeq.set(channel, reply.last_seq);
      this._emit('resume_incomplete', { channel, last_seq: reply.last_seq });
    }
  }

  // ------------------------------------------------------------------ heartbeats

  /** @param {Connection} connection */
  _startHeartbeat(connection) {
    this._stopHeartbeat();
    if (!this.heartbeatEnabled) return;
    const interval = this.session?.heartbeat_interval_ms ?? DEFAULT_HEARTBEAT_MS;
    const tick = () => {
      if (connection.lost || this._closed) return;
      this._heartbeatTimer = setTimeout(tick, interval);
      if (Date.now() - connection.lastSentAt < interval / 2) return;
      this._requestOn(connection, { type: 'ping' }, { timeoutMs: Math.min(this.requestTimeoutMs, interval) })
        .catch((error) => {
          if (error instanceof RequestTimeoutError && this._connection === connection) this.dropConnection();
        });
    };
    this._heartbeatTimer = setTimeout(tick, interval * this.random());
  }

  _stopHeartbeat() {
    if (this._heartbeatTimer !== null) clearTimeout(this._heartbeatTimer);
    this._heartbeatTimer = null;
  }

  // ------------------------------------------------------------------ protocol operations

  /**
   * Subscribe to `channel`, resuming after `sinceSeq` when given.  Resolves with the
   * `subscribed` reply; the channel is re-subscribed after every reconnect.
   * @param {string} channel
   * @param {{sinceSeq?: number, timeoutMs?: number}} [options]
   */
  subscribe(channel, options = {}) {
    const since = options.sinceSeq;
    return this.request({ type: 'subscribe', channel, since_seq: since }, {
      timeoutMs: options.timeoutMs,
      onReply: (reply) => this._applySubscribed(channel, since, reply),
    });
  }

  /** Stop receiving `channel`. @param {string} channel */
  unsubscribe(channel) {
    this._lastSeq.delete(channel);
    return this.request({ type: 'unsubscribe', channel });
  }

  /** The last seq processed on `channel` (undefined when not subscribed). @param {string} channel */
  lastSeq(channel) {
    return this._lastSeq.get(channel);
  }

  /** The channels the client is subscribed to. */
  subscriptions() {
    return [...this._lastSeq.keys()];
  }

  /** Round-trip a `ping`; resolves with the `pong`. */
  ping() {
    return this.request({ type: 'ping' });
  }

  /**
   * Send a message to a `chat_room:` or `dm:` channel.
   * @param {string} channel
   * @param {{text?: string, gif_url?: string, attachment_ids?: string[], reply_to?: string, nonce?: string}} content
   */
  sendMessage(channel, content) {
    return this.request({ type: 'send_message', channel, nonce: newNonce(), ...content });
  }

  /**
   * Send a direct message to a user (the conversation is created when needed).
   * @param {string} recipientId
   * @param {{text?: string, nonce?: string}} content
   */
  sendDirectMessage(recipientId, content) {
    return this.request({ type: 'send_direct_message', recipient_id: recipientId, nonce: newNonce(), ...content });
  }

  /** @param {string} channel @param {string} messageId @param {string} text */
  editMessage(channel, messageId, text) {
    return this.request({ type: 'edit_message', channel, message_id: messageId, text });
  }

  /** @param {string} channel @param {string} messageId */
  deleteMessage(channel, messageId) {
    return this.request({ type: 'delete_message', channel, message_id: messageId });
  }

  /** @param {string} channel @param {'start'|'stop'} [state] */
  typing(channel, state = 'start') {
    return this.request({ type: 'typing', channel, state });
  }

  /** @param {string} channel @param {number} upToSeq */
  markRead(channel, upToSeq) {
    return this.request({ type: 'mark_read', channel, up_to_seq: upToSeq });
  }

  /** @param {string} channel @param {string} messageId @param {string} emoji @param {'add'|'remove'} [action] */
  react(channel, messageId, emoji, action = 'add') {
    return this.request({ type: 'react', channel, message_id: messageId, emoji, action });
  }

  /** @param {'online'|'away'} status */
  setPresence(status) {
    return this.request({ type: 'set_presence', status });
  }

  /** Ring a user or a room. @param {{callee_id?: string, room_id?: string, media?: 'audio'|'video'}} target */
  callStart(target) {
    return this.request({ type: 'call_start', ...target });
  }

  /** @param {string} callId */
  callAccept(callId) {
    return this.request({ type: 'call_accept', call_id: callId });
  }

  /** @param {string} callId */
  callDecline(callId) {
    return this.request({ type: 'call_decline', call_id: callId });
  }

  /** @param {string} callId */
  callHangup(callId) {
    return this.request({ type: 'call_hangup', call_id: callId });
  }

  /** @param {string} callId @param {string} targetUserId @param {'offer'|'answer'|'ice'} kind @param {string} payload */
  callSignal(callId, targetUserId, kind, payload) {
    return this.request({ type: 'call_signal', call_id: callId, target_user_id: targetUserId, kind, payload });
  }
}

let nonceCounter = 0;

/** A fresh idempotency nonce (`[A-Za-z0-9_-]`, at most 64 characters). */
export function newNonce() {
  nonceCounter = (nonceCounter + 1) % 1e9;
  const random = Math.floor(Math.random() * 2 ** 48).toString(36);
  return `n${Date.now().toString(36)}-${random}-${nonceCounter.toString(36)}`;
}
