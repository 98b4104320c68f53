/**
 * The two encodings of protocol v1: JSON (text messages) and MessagePack (binary
 * messages, maps with string keys, no `bin` or extension types).
 * @module
 */

export const SUBPROTOCOL_JSON = 'topicsflow.v1.json';
export const SUBPROTOCOL_MSGPACK = 'topicsflow.v1.msgpack';

/**
 * @typedef {object} Codec
 * @property {string} subprotocol
 * @property {(frame: object) => string|Uint8Array} encode
 * @property {(data: string|ArrayBuffer|Uint8Array) => any} decode
 */

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** @type {Codec} */
export const jsonCodec = {
  subprotocol: SUBPROTOCOL_JSON,
  encode: (frame) => JSON.stringify(frame),
  decode: (data) => JSON.parse(typeof data === 'string' ? data : utf8Decoder.decode(toBytes(data))),
};

/** @type {Codec} */
export const msgpackCodec = {
  subprotocol: SUBPROTOCOL_MSGPACK,
  encode: (frame) => packMessage(frame),
  decode: (data) => {
    if (typeof data === 'string') throw new TypeError('a text message on the msgpack subprotocol');
    return unpackMessage(toBytes(data));
  },
};

/** @type {Record<string, Codec>} */
export const CODECS = { [SUBPROTOCOL_JSON]: jsonCodec, [SUBPROTOCOL_MSGPACK]: msgpackCodec };

/** @param {ArrayBuffer|Uint8Array|ArrayBufferView} data */
function toBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/**
 * Encode a value as MessagePack (nil, booleans, integers within ±2^53, floats, strings,
 * arrays and string-keyed maps; `undefined` map values are left out).
 * @param {any} value
 * @returns {Uint8Array}
 */
export function packMessage(value) {
  /** @type {number[]} */
  const out = [];
  pack(value, out);
  return Uint8Array.from(out);
}

/** @param {any} value @param {number[]} out */
function pack(value, out) {
  if (value === null || value === undefined) {
    out.push(0xc0);
  } else if (value === false || value === true) {
    out.push(value ? 0xc3 : 0xc2);
  } else if (typeof value === 'number') {
    packNumber(value, out);
  } else if (typeof value === 'string') {
    const bytes = utf8Encoder.encode(value);
    const n = bytes.length;
    if (n < 32) out.push(0xa0 | n);
    else if (n < 0x100) out.push(0xd9, n);
    else if (n < 0x10000) out.push(0xda, n >> 8, n & 0xff);
    else out.push(0xdb, ...uint32(n));
    for (const byte of bytes) out.push(byte);
  } else if (Array.isArray(value)) {
    const n = value.length;
    if (n < 16) out.push(0x90 | n);
    else if (n < 0x10000) out.push(0xdc, n >> 8, n & 0xff);
    else out.push(0xdd, ...uint32(n));
    for (const item of value) pack(item, out);
  } else if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    const n = entries.length;
    if (n < 16) out.push(0x80 | n);
    else if (n < 0x10000) out.push(0xde, n >> 8, n & 0xff);
    else out.push(0xdf, ...uint32(n));
    for (const [key, item] of entries) {
      pack(key, out);
      pack(item, out);
    }
  } else {
    throw new TypeError(`cannot encode ${typeof value} as MessagePack`);
  }
}

/** @param {number} n */
function uint32(n) {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** @param {number} value @param {number[]} out */
function packNumber(value, out) {
  if (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) {
    if (value >= 0) {
      if (value < 0x80) out.push(value);
      else if (value < 0x100) out.push(0xcc, value);
      else if (value < 0x10000) out.push(0xcd, value >> 8, value & 0xff);
      else if (value < 0x100000000) out.push(0xce, ...uint32(value));
      else out.push(0xcf, ...uint32(Math.floor(value / 0x100000000)), ...uint32(value >>> 0));
    } else if (value >= -32) {
      out.push(value & 0xff);
    } else if (value >= -0x80) {
      out.push(0xd0, value & 0xff);
    } else if (value >= -0x8000) {
      out.push(0xd1, (value >> 8) & 0xff, value & 0xff);
    } else if (value >= -0x80000000) {
      out.push(0xd2, ...uint32(value >>> 0));
    } else {
      const view = new DataView(new ArrayBuffer(8));
      view.setBigInt64(0, BigInt(value));
      out.push(0xd3, ...new Uint8Array(view.buffer));
    }
    return;
  }
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  out.push(0xcb, ...new Uint8Array(view.buffer));
}

/**
 * Decode one MessagePack value that fills `bytes` exactly.
 * @param {Uint8Array} bytes
 * @returns {any}
 */
export function unpackMessage(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const state = { offset: 0 };
  const value = unpack(bytes, view, state);
  if (state.offset !== bytes.length) throw new RangeError('trailing bytes after a MessagePack value');
  return value;
}

/** @param {Uint8Array} bytes @param {DataView} view @param {{offset: number}} state @returns {any} */
function unpack(bytes, view, state) {
  const need = (/** @type {number} */ n) => {
    if (state.offset + n > bytes.length) throw new RangeError('truncated MessagePack value');
    const at = state.offset;
    state.offset += n;
    return at;
  };
  const str = (/** @type {number} */ n) => {
    const at = need(n);
    return utf8Decoder.decode(bytes.subarray(at, at + n));
  };
  const array = (/** @type {number} */ n) => {
    const items = [];
    for (let i = 0; i < n; i += 1) items.push(unpack(bytes, view, state));
    return items;
  };
  const map = (/** @type {number} */ n) => {
    /** @type {Record<string, any>} */
    const object = {};
    for (let i = 0; i < n; i += 1) {
      const key = unpack(bytes, view, state);
      if (typeof key !== 'string') throw new TypeError('a MessagePack map key that is not a string');
      object[key] = unpack(bytes, view, state);
    }
    return object;
  };
  const type = bytes[need(1)];
  if (type < 0x80) return type;
  if (type < 0x90) return map(type & 0x0f);
  if (type < 0xa0) return array(type & 0x0f);
  if (type < 0xc0) return str(type & 0x1f);
  if (type >= 0xe0) return type - 0x100;
  switch (type) {
    case 0xc0: return null;
    case 0xc2: return false;
    case 0xc3: return true;
    case 0xca: return view.getFloat32(need(4));
    case 0xcb: return view.getFloat64(need(8));
    case 0xcc: return view.getUint8(need(1));
    case 0xcd: return view.getUint16(need(2));
    case 0xce: return view.getUint32(need(4));
    case 0xcf: return Number(view.getBigUint64(need(8)));
    case 0xd0: return view.getInt8(need(1));
    case 0xd1: return view.getInt16(need(2));
    case 0xd2: return view.getInt32(need(4));
    case 0xd3: return Number(view.getBigInt64(need(8)));
    case 0xd9: return str(view.getUint8(need(1)));
    case 0xda: return str(view.getUint16(need(2)));
    case 0xdb: return str(view.getUint32(need(4)));
    case 0xdc: return array(view.getUint16(need(2)));
    case 0xdd: return array(view.getUint32(need(4)));
    case 0xde: return map(view.getUint16(need(2)));
    case 0xdf: return map(view.getUint32(need(4)));
    default: throw new TypeError(`unsupported MessagePack type 0x${type.toString(16)}`);
  }
}
