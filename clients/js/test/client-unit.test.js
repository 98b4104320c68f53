// The client against a scripted socket (FakeSocket): the test plays the server, so
// reconnect decisions, resume frames, deduplication and timeouts are checked exactly.
import assert from 'node:assert/strict';
import test from 'node:test';

import {
  ConnectionLostError, RequestError, RequestTimeoutError, TopicsFlowClient,
} from '../src/index.js';
import { FakeSocket } from './support.js';

function fakeClient(options = {}) {
  FakeSocket.reset();
  return new TopicsFlowClient({
    url: 'ws://example.invalid/ws', token: 'secret', WebSocket: FakeSocket,
    backoffInitialMs: 1, backoffMaxMs: 5, heartbeat: false, random: () => 0.5, ...options,
  });
}

/** Open `socket` and answer its authenticate frame. */
async function accept(socket, protocol = 'topicsflow.v1.json') {
  socket.serverOpen(protocol);
  const auth = await socket.nextSent('authenticate');
  assert.equal(auth.token, 'secret');
  socket.serverSend({
    type: 'ack', id: auth.id,
    result: { type: 'authenticated', user_id: 'u1', session_id: 's1', revision: 2, heartbeat_interval_ms: 25000, max_frame_bytes: 65536 },
  });
}

async function connected(options) {
  const client = fakeClient(options);
  const ready = client.connect();
  await accept(FakeSocket.latest());
  assert.equal((await ready).user_id, 'u1');
  return client;
}

async function subscribed(client, channel, lastSeq) {
  const socket = FakeSocket.latest();
  const reply = client.subscribe(channel);
  const frame = await socket.nextSent('subscribe');
  socket.serverSend({ type: 'subscribed', id: frame.id, channel, resumed: false, complete: true, last_seq: lastSeq });
  await reply;
}

function waitForNewSocket(count) {
  return new Promise((resolve) => {
    const check = () => (FakeSocket.instances.length > count ? resolve(FakeSocket.latest()) : setImmediate(check));
    check();
  });
}

test('offers the subprotocols in order of preference and decodes what the server picked', async () => {
  const client = fakeClient({ encodings: ['msgpack', 'json'] });
  const ready = client.connect();
  const socket = FakeSocket.latest();
  assert.deepEqual(socket.protocols, ['topicsflow.v1.msgpack', 'topicsflow.v1.json']);
  await accept(socket, 'topicsflow.v1.json');
  await ready;
  assert.equal(client.protocol, 'topicsflow.v1.json');
  client.close();
});

test('an error reply rejects with a typed RequestError carrying retry_after_ms', async () => {
  const client = await connected();
  const socket = FakeSocket.latest();
  const sent = client.sendMessage('chat_room:r1', { text: 'hi' });
  const frame = await socket.nextSent('send_message');
  assert.match(frame.nonce, /^[A-Za-z0-9_-]{1,64}$/);
  socket.serverSend({ type: 'error', id: frame.id, code: 'rate_limited', message: 'slow down', retry_after_ms: 1200 });
  await assert.rejects(sent, (error) => error instanceof RequestError && error.code === 'rate_limited' && error.retryAfterMs === 1200);
  client.close();
});

test('a request without a reply times out with RequestTimeoutError', async () => {
  const client = await connected();
  await assert.rejects(client.request({ type: 'ping' }, { timeoutMs: 20 }), RequestTimeoutError);
  assert.equal(FakeSocket.latest().frames().filter((f) => f.type === 'ping').length, 1);
  client.close();
});

test('events are delivered once and in order; a gap resubscribes with since_seq', async () => {
  const client = await connected();
  await subscribed(client, 'chat_room:r1', 4);
  const socket = FakeSocket.latest();
  const seen = [];
  client.on('message_created', (event) => seen.push(event.seq));
  const event = (seq) => ({ type: 'message_created', channel: 'chat_room:r1', seq, message: { id: `m${seq}` } });
  socket.serverSend(event(4)); // not after last_seq: dropped
  socket.serverSend(event(5));
  socket.serverSend(event(5)); // a repeat: dropped
  socket.serverSend(event(7)); // a gap: 6 is missing
  const again = await socket.nextSent('subscribe').then(() => socket.frames().filter((f) => f.type === 'subscribe').at(-1));
  assert.equal(again.since_seq, 5);
  socket.serverSend({ type: 'subscribed', id: again.id, channel: 'chat_room:r1', resumed: true, complete: true, last_seq: 7 });
  socket.serverSend(event(6));
  socket.serverSend(event(7));
  assert.deepEqual(seen, [5, 6, 7]);
  client.close();
});

test('a slow-consumer close reconnects and resumes every channel from its last seq', async () => {
  const client = await connected();
  await subscribed(client, 'chat_room:r1', 10);
  const first = FakeSocket.latest();
  first.serverSend({ type: 'message_created', channel: 'chat_room:r1', seq: 11, message: {} });
  const pending = client.request({ type: 'ping' });
  first.serverSend({ type: 'goodbye', reason: 'slow_consumer' });
  first.serverClose(4000);
  await assert.rejects(pending, (error) => error instanceof ConnectionLostError && error.closeCode === 4000);
  const second = await waitForNewSocket(1);
  await accept(second);
  const resume = await second.nextSent('subscribe');
  assert.deepEqual([resume.channel, resume.since_seq], ['chat_room:r1', 11]);
  const incomplete = client.waitFor('resume_incomplete');
  const reopened = client.waitFor('open');
  second.serverSend({ type: 'subscribed', id: resume.id, channel: 'chat_room:r1', resumed: true, complete: false, last_seq: 2000 });
  assert.deepEqual(await incomplete, { channel: 'chat_room:r1', last_seq: 2000 });
  assert.equal(client.lastSeq('chat_room:r1'), 2000);
  assert.equal((await reopened).reconnect, true);
  assert.equal(client.reconnects, 1);
  client.close();
});

test('goodbye.reconnect_after_ms sets the reconnect delay', async () => {
  const client = await connected({ backoffInitialMs: 1 });
  const socket = FakeSocket.latest();
  const reconnecting = client.waitFor('reconnecting');
  socket.serverSend({ type: 'goodbye', reason: 'flood', reconnect_after_ms: 40 });
  socket.serverClose(4008);
  const { delayMs } = await reconnecting;
  assert.ok(delayMs >= 40 && delayMs <= 48, `delay ${delayMs}`);
  client.close();
});

test('backoff grows exponentially with jitter and is capped', () => {
  const client = fakeClient({ backoffInitialMs: 100, backoffMaxMs: 1000, random: () => 0.99 });
  assert.equal(Math.round(client._backoffDelay(0)), 149);
  assert.equal(Math.round(client._backoffDelay(2)), 596);
  assert.equal(client._backoffDelay(10), 1000);
  const low = fakeClient({ backoffInitialMs: 100, backoffMaxMs: 1000, random: () => 0 });
  assert.equal(low._backoffDelay(1), 100);
});

for (const code of [4001, 4003, 1008]) {
  test(`close code ${code} ends the client without reconnecting`, async () => {
    const client = await connected();
    const ended = client.waitFor('end');
    const pending = client.request({ type: 'ping' });
    FakeSocket.latest().serverClose(code);
    assert.equal((await ended).code, code);
    await assert.rejects(pending, ConnectionLostError);
    await assert.rejects(client.ping(), ConnectionLostError);
    assert.equal(FakeSocket.instances.length, 1);
    assert.equal(client.state, 'closed');
  });
}

test('requests made while reconnecting wait for the new connection', async () => {
  const client = await connected();
  FakeSocket.refuse = true;
  FakeSocket.latest().serverClose(1001);
  await client.waitFor('reconnecting');
  const ping = client.ping();
  FakeSocket.refuse = false;
  const socket = await waitForNewSocket(1);
  await accept(socket);
  const frame = await socket.nextSent('ping');
  socket.serverSend({ type: 'pong', id: frame.id, server_time: 1 });
  assert.equal((await ping).type, 'pong');
  client.close();
});

test('a failed first connection rejects connect() and does not retry', async () => {
  const client = fakeClient();
  const ready = client.connect();
  FakeSocket.latest().serverClose(1006);
  await assert.rejects(ready, ConnectionLostError);
  assert.equal(FakeSocket.instances.length, 1);
});

test('a refused authenticate rejects connect() with its code', async () => {
  const client = fakeClient();
  const ready = client.connect();
  const socket = FakeSocket.latest();
  socket.serverOpen();
  const auth = await socket.nextSent('authenticate');
  socket.serverSend({ type: 'error', id: auth.id, code: 'unauthorized', message: 'bad token' });
  await assert.rejects(ready, (error) => error instanceof RequestError && error.code === 'unauthorized');
});

test('a frame over max_frame_bytes is refused before it is sent', async () => {
  const client = await connected();
  await assert.rejects(client.sendMessage('chat_room:r1', { text: 'x'.repeat(70000) }),
    (error) => error instanceof RequestError && error.code === 'too_large');
  assert.equal(FakeSocket.latest().frames().filter((f) => f.type === 'send_message').length, 0);
  client.close();
});

test('heartbeats start at a random point of the first interval and ping when idle', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const client = fakeClient({ heartbeat: true, random: () => 0.25 });
  const ready = client.connect();
  const socket = FakeSocket.latest();
  socket.serverOpen();
  const auth = await socket.nextSent('authenticate');
  socket.serverSend({ type: 'ack', id: auth.id, result: { type: 'authenticated', user_id: 'u', session_id: 's', revision: 2, heartbeat_interval_ms: 1000, max_frame_bytes: 65536 } });
  await ready;
  t.mock.timers.tick(249);
  assert.equal(socket.frames().filter((f) => f.type === 'ping').length, 0);
  t.mock.timers.tick(1); // 250 ms: the first tick, but a frame went out less than half an interval ago
  assert.equal(socket.frames().filter((f) => f.type === 'ping').length, 0);
  t.mock.timers.tick(1000);
  assert.equal(socket.frames().filter((f) => f.type === 'ping').length, 1);
  client.close();
});
