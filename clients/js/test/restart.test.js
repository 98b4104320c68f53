// Resume across a server restart, and a request timeout while the server is down.  The
// driver (tests/e2e/test_js_sdk.py) serves the node on a fixed port with a persistent data
// directory and answers POST {control}/stop and {control}/start.
import assert from 'node:assert/strict';
import test from 'node:test';

import { RequestTimeoutError } from '../src/index.js';
import { NodeWebSocket } from '../src/node-websocket.js';
import { collect, control, newClient, newUser, roomWith, until } from './support.js';

/** A WebSocket whose connections the test can hold back (as a network outage would). */
function gatedWebSocket() {
  const gate = { open: true };
  class Gated extends NodeWebSocket {
    constructor(url, protocols) {
      if (!gate.open) throw new Error('network down (test gate)');
      super(url, protocols);
    }
  }
  return { gate, Gated };
}

test('reconnect with resume across a server restart, and a request timeout while down', async (t) => {
  const ada = await newUser('rs');
  const bob = await newUser('rs');
  const { channel } = await roomWith(ada, bob);
  const { gate, Gated } = gatedWebSocket();
  const sender = newClient(ada.token);
  const reader = newClient(bob.token, { WebSocket: Gated });
  t.after(() => { sender.close(); reader.close(); });
  await sender.connect();
  await reader.connect();
  await sender.subscribe(channel);
  await reader.subscribe(channel);
  const received = collect(reader, 'message_created', channel);
  const goodbyes = [];
  reader.on('goodbye', (frame) => goodbyes.push(frame.reason));
  await sender.sendMessage(channel, { text: 'before the restart' });
  await until(reader, () => received.length === 1);

  const readerClosed = reader.waitFor('close');
  const senderClosed = sender.waitFor('close');
  gate.open = false;
  await control('stop');
  const closeInfo = await readerClosed;
  await senderClosed;
  assert.equal(closeInfo.willReconnect, true);
  assert.ok(closeInfo.code === 1001 || closeInfo.code === 1006, `close code ${closeInfo.code}`);

  // Nothing listens now: a request waits for a connection and times out.
  await assert.rejects(sender.request({ type: 'ping' }, { timeoutMs: 200 }),
    (error) => error instanceof RequestTimeoutError && error.requestType === 'ping');

  const senderBack = sender.waitFor('open');
  await control('start');
  assert.equal((await senderBack).reconnect, true);
  const missed = ['missed 1', 'missed 2', 'missed 3'];
  for (const text of missed) await sender.sendMessage(channel, { text });

  const readerBack = reader.waitFor('open');
  gate.open = true;
  await readerBack;
  await sender.sendMessage(channel, { text: 'live again' });
  await until(reader, () => received.length === 5).catch((error) => {
    throw new Error(`${error.message}: got ${JSON.stringify(received.map((e) => [e.seq, e.message.text]))}, last seq ${reader.lastSeq(channel)}, state ${reader.state}`);
  });
  assert.deepEqual(received.map((event) => event.message.text), ['before the restart', ...missed, 'live again']);
  const seqs = received.map((event) => event.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => seqs[0] + i));
  assert.ok(reader.reconnects >= 1);
  assert.deepEqual(goodbyes.filter((reason) => reason !== 'shutdown'), []);
});
