import assert from 'node:assert/strict';
import test from 'node:test';

import { jsonCodec, msgpackCodec, packMessage, unpackMessage } from '../src/index.js';

test('MessagePack round-trips every shape a frame uses', () => {
  const frame = {
    type: 'message_created', channel: 'chat_room:r1', seq: 2 ** 40 + 3, small: 7, negative: -5,
    int16: -300, int32: -70000, big_negative: -(2 ** 40), float: 1.5, yes: true, no: false,
    nothing: null, text: 'é 😀 '.repeat(20), list: [1, 'two', { three: 3 }],
    long: 'x'.repeat(70000), many: Array.from({ length: 20 }, (_, i) => i * 1000),
  };
  assert.deepEqual(unpackMessage(packMessage(frame)), frame);
});

test('MessagePack drops undefined fields and refuses trailing bytes', () => {
  assert.deepEqual(unpackMessage(packMessage({ a: 1, b: undefined })), { a: 1 });
  const bytes = packMessage({ a: 1 });
  assert.throws(() => unpackMessage(Uint8Array.from([...bytes, 0xc0])), RangeError);
  assert.throws(() => unpackMessage(bytes.subarray(0, bytes.length - 1)), RangeError);
});

test('MessagePack encodes integers in their smallest form', () => {
  assert.deepEqual([...packMessage(5)], [5]);
  assert.deepEqual([...packMessage(-1)], [0xff]);
  assert.deepEqual([...packMessage(200)], [0xcc, 200]);
  assert.deepEqual([...packMessage('ab')], [0xa2, 0x61, 0x62]);
});

test('the msgpack codec refuses text messages; JSON reads text and binary', () => {
  assert.throws(() => msgpackCodec.decode('{}'), TypeError);
  assert.deepEqual(jsonCodec.decode('{"a":1}'), { a: 1 });
  assert.deepEqual(jsonCodec.decode(new TextEncoder().encode('{"a":2}')), { a: 2 });
});
