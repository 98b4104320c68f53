// Helpers of the SDK's tests: the node under test (TOPICSFLOW_TEST_URL), accounts made
// through the development outbox, a control URL to stop and start the node, and a fake
// WebSocket for unit tests.
import assert from 'node:assert/strict';

import { RestClient, TopicsFlowClient, websocketUrl } from '../src/index.js';
import { NodeWebSocket } from '../src/node-websocket.js';

export const PASSWORD = 'correct horse battery staple';

/** The node's base URL; the live tests fail without it. */
export function baseUrl() {
  const url = process.env.TOPICSFLOW_TEST_URL;
  assert.ok(url, 'TOPICSFLOW_TEST_URL must name the node under test (tests/e2e/test_js_sdk.py sets it)');
  return url;
}

let counter = 0;

/** A fresh name no other test run uses. @param {string} prefix */
export function uniqueName(prefix) {
  counter += 1;
  return `${prefix}${process.pid.toString(36)}${Date.now().toString(36)}${counter}`;
}

/**
 * Register, confirm through the development outbox and log in a new user.
 * @returns {Promise<{rest: RestClient, token: string, userId: string, username: string}>}
 */
export async function newUser(prefix = 'u') {
  const rest = new RestClient({ baseUrl: baseUrl() });
  const username = uniqueName(prefix);
  const email = `${username}@example.org`;
  await rest.register({ username, email, password: PASSWORD });
  const outbox = await rest.request('GET', '/dev/outbox', { query: { to: email } });
  const link = outbox.messages[0].links[0];
  await rest.verifyEmail(new URL(link).searchParams.get('token'));
  const login = await rest.login(username, PASSWORD);
  return { rest, token: login.token, userId: login.user_id, username };
}

const shared = new Map();

/**
 * A user shared by the tests of one file (registration is rate-limited per address: ten
 * an hour), made on first use.
 * @param {string} name
 */
export function sharedUser(name) {
  if (!shared.has(name)) shared.set(name, newUser(name));
  return shared.get(name);
}

/** @param {string} token @param {object} [options] */
export function newClient(token, options = {}) {
  return new TopicsFlowClient({
    url: websocketUrl(baseUrl()), token, WebSocket: NodeWebSocket, backoffInitialMs: 50, backoffMaxMs: 500,
    requestTimeoutMs: 15000, ...options,
  });
}

/** POST to the driver's control endpoint (`stop`, `start`), resolving once it is done. @param {string} action */
export async function control(action) {
  const url = process.env.TOPICSFLOW_TEST_CONTROL_URL;
  assert.ok(url, 'TOPICSFLOW_TEST_CONTROL_URL must be set by tests/e2e/test_js_sdk.py');
  const response = await fetch(`${url}/${action}`, { method: 'POST' });
  assert.equal(response.status, 200, await response.text());
}

/** A topic with a chat room, owned by `owner`; `others` join both. */
export async function roomWith(owner, ...others) {
  const topic = await owner.rest.createTopic({ title: uniqueName('Topic '), description: 'for tests' });
  const room = await owner.rest.createRoom({ name: 'general', topic_id: topic.id, is_private: false });
  for (const other of others) {
    await other.rest.joinTopic(topic.id);
    await other.rest.joinRoom(room.id);
  }
  return { topic, room, channel: `chat_room:${room.id}` };
}

/** Collect the events of `type` on `channel` into an array. */
export function collect(client, type, channel) {
  const seen = [];
  client.on(type, (event) => {
    if (event.channel === channel) seen.push(event);
  });
  return seen;
}

/** Resolve once `condition()` holds, re-checking after every event the client emits. */
export function until(client, condition, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    if (condition()) {
      resolve(undefined);
      return;
    }
    // Checked after the other listeners of the same event ran (a collector may come later).
    const later = () => queueMicrotask(check);
    const offs = ['event', 'open', 'close', 'resume_incomplete'].map((type) => client.on(type, later));
    const timer = setTimeout(() => {
      offs.forEach((off) => off());
      reject(new Error('condition not met in time'));
    }, timeoutMs);
    let done = false;
    function check() {
      if (done || !condition()) return;
      done = true;
      offs.forEach((off) => off());
      clearTimeout(timer);
      resolve(undefined);
    }
  });
}

/**
 * A scripted WebSocket for unit tests: the test plays the server.
 * `FakeSocket.instances` holds every socket the client opened.
 */
export class FakeSocket extends EventTarget {
  static instances = [];
  static refuse = false;

  constructor(url, protocols) {
    super();
    if (FakeSocket.refuse) throw new Error('connection refused');
    this.url = url;
    this.protocols = protocols;
    this.protocol = '';
    this.sent = [];
    this.readyState = 0;
    FakeSocket.instances.push(this);
  }

  static reset() {
    FakeSocket.instances = [];
    FakeSocket.refuse = false;
  }

  static latest() {
    return FakeSocket.instances[FakeSocket.instances.length - 1];
  }

  /** Frames the client sent, decoded. */
  frames() {
    return this.sent.map((data) => JSON.parse(data));
  }

  /** Resolve with the first sent frame of `type` (waiting for it when needed). */
  nextSent(type) {
    return new Promise((resolve) => {
      const look = () => this.frames().find((frame) => frame.type === type && !frame.__taken);
      const check = () => {
        const frame = look();
        if (!frame) return false;
        resolve(frame);
        return true;
      };
      if (check()) return;
      this.addEventListener('sent', function listener() {
        if (check()) this.removeEventListener('sent', listener);
      });
    });
  }

  send(data) {
    this.sent.push(data);
    this.dispatchEvent(new Event('sent'));
  }

  close(code = 1000) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    queueMicrotask(() => this.dispatchEvent(Object.assign(new Event('close'), { code, reason: '' })));
  }

  // The server's side.
  serverOpen(protocol = 'topicsflow.v1.json') {
    this.protocol = protocol;
    this.readyState = 1;
    this.dispatchEvent(new Event('open'));
  }

  serverSend(frame) {
    this.dispatchEvent(Object.assign(new Event('message'), { data: JSON.stringify(frame) }));
  }

  serverClose(code, reason = '') {
    this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event('close'), { code, reason }));
  }
}
