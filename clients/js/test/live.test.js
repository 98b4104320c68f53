// The SDK against a real node (TOPICSFLOW_TEST_URL, started by tests/e2e/test_js_sdk.py).
import assert from 'node:assert/strict';
import test from 'node:test';

import { ApiError, RequestError } from '../src/index.js';
import { collect, newClient, roomWith, sharedUser, until } from './support.js';

test('two users chat: acks, events in order per channel, typing and read receipts', async (t) => {
  const ada = await sharedUser('ada');
  const bob = await sharedUser('bob');
  const { channel } = await roomWith(ada, bob);
  const sender = newClient(ada.token);
  const reader = newClient(bob.token);
  t.after(() => { sender.close(); reader.close(); });
  assert.equal((await sender.connect()).user_id, ada.userId);
  await reader.connect();
  await sender.subscribe(channel);
  const subscribed = await reader.subscribe(channel);
  assert.equal(subscribed.type, 'subscribed');
  const received = collect(reader, 'message_created', channel);

  const acks = await Promise.all(
    Array.from({ length: 8 }, (_, i) => sender.sendMessage(channel, { text: `message ${i}` })),
  );
  assert.ok(acks.every((ack) => ack.result.type === 'message_accepted'));
  await until(reader, () => received.length === 8).catch((error) => {
    throw new Error(`${error.message}: got ${JSON.stringify(received.map((e) => [e.seq, e.message.text]))}, last seq ${reader.lastSeq(channel)}, subscribed ${JSON.stringify(subscribed)}, acks ${JSON.stringify(acks.map((a) => a.result.seq))}`);
  });
  const seqs = received.map((event) => event.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => seqs[0] + i), 'consecutive seq, in order');
  assert.deepEqual(
    received.map((event) => event.message.text).sort(),
    acks.map((_, i) => `message ${i}`).sort(),
  );
  assert.equal(reader.lastSeq(channel), seqs.at(-1));

  const typing = reader.waitFor('typing', (event) => event.user_id === ada.userId && event.state === 'start');
  await sender.typing(channel);
  assert.equal((await typing).channel, channel);
  const receipt = sender.waitFor('read_receipt', (event) => event.user_id === bob.userId);
  await reader.markRead(channel, seqs.at(-1));
  assert.equal((await receipt).up_to_seq, seqs.at(-1));
});

test('errors are typed: a WebSocket RequestError and a REST ApiError', async (t) => {
  const ada = await sharedUser('ada');
  const client = newClient(ada.token);
  t.after(() => client.close());
  await client.connect();
  await assert.rejects(client.subscribe('chat_room:nosuchroom'),
    (error) => error instanceof RequestError && error.code === 'not_found');
  await assert.rejects(client.sendMessage('chat_room:nosuchroom', { text: '' }),
    (error) => error instanceof RequestError && error.code === 'invalid');
  await assert.rejects(ada.rest.room('nosuchroom'),
    (error) => error instanceof ApiError && error.status === 404 && error.code === 'not_found');
  assert.equal((await client.ping()).type, 'pong');
});

test('a bad token fails the first connection', async () => {
  const client = newClient('not-a-token');
  await assert.rejects(client.connect(), (error) => error instanceof RequestError && error.code === 'unauthorized');
  assert.equal(client.state, 'closed');
});

test('MessagePack: the same conversation over topicsflow.v1.msgpack', async (t) => {
  const ada = await sharedUser('ada');
  const { channel } = await roomWith(ada);
  const client = newClient(ada.token, { encodings: ['msgpack', 'json'] });
  t.after(() => client.close());
  await client.connect();
  assert.equal(client.protocol, 'topicsflow.v1.msgpack');
  await client.subscribe(channel);
  const created = client.waitFor('message_created', (event) => event.channel === channel);
  const ack = await client.sendMessage(channel, { text: 'packed ✓' });
  assert.equal((await created).message.text, 'packed ✓');
  assert.equal((await created).seq, ack.result.seq);
});

test('a dropped connection reconnects and resumes exactly what was missed', async (t) => {
  const ada = await sharedUser('ada');
  const bob = await sharedUser('bob');
  const { channel } = await roomWith(ada, bob);
  const sender = newClient(ada.token);
  const reader = newClient(bob.token);
  t.after(() => { sender.close(); reader.close(); });
  await sender.connect();
  await reader.connect();
  await reader.subscribe(channel);
  const received = collect(reader, 'message_created', channel);
  await sender.sendMessage(channel, { text: 'before' });
  await until(reader, () => received.length === 1);

  const closed = reader.waitFor('close');
  reader.dropConnection();
  await closed;
  for (const text of ['while away 1', 'while away 2']) await sender.sendMessage(channel, { text });
  const reopened = reader.waitFor('open');
  await reopened;
  await sender.sendMessage(channel, { text: 'after' });
  await until(reader, () => received.length === 4);
  assert.deepEqual(received.map((event) => event.message.text), ['before', 'while away 1', 'while away 2', 'after']);
  assert.equal(reader.reconnects, 1);
});

test('REST helpers: a post with a vote and a comment tree', async () => {
  const ada = await sharedUser('ada');
  const topic = await ada.rest.createTopic({ title: `REST ${Date.now()}`, description: 'd' });
  const found = await ada.rest.topics({ q: topic.title });
  assert.ok(found.topics.some((item) => item.id === topic.id));
  const post = await ada.rest.createPost({ topic_id: topic.id, title: 'Hello', body: 'Body' });
  assert.equal((await ada.rest.votePost(post.id, 1)).score, 1);
  const parent = await ada.rest.createComment(post.id, 'parent');
  const child = await ada.rest.createComment(post.id, 'child', parent.id);
  const tree = await ada.rest.comments(post.id);
  assert.deepEqual(tree.comments.map((c) => [c.id, c.depth]), [[parent.id, 0], [child.id, 1]]);
  assert.equal((await ada.rest.unreadCount()).unread, 0);
});
