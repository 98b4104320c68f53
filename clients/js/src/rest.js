/**
 * REST helpers for the routes a client needs (the OpenAPI document at `/openapi.json`
 * has every route).  A token is sent as `Authorization: Bearer`; without one, requests
 * carry the browser's session cookie (same origin).
 * @module
 */

import { ApiError } from './errors.js';

/**
 * @typedef {object} RestOptions
 * @property {string} [baseUrl]  e.g. `http://127.0.0.1:8000` (default: the page's origin).
 * @property {string|null} [token]  A bearer token; null uses the session cookie.
 * @property {typeof fetch} [fetch]  The fetch function (default: the global one).
 */

/** The WebSocket URL of a node from its HTTP base URL. @param {string} baseUrl */
export function websocketUrl(baseUrl) {
  const url = new URL('/ws', baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** @param {string} segment */
const part = (segment) => encodeURIComponent(segment);

/** A small client of the REST API; every method rejects with {@link ApiError} on an error status. */
export class RestClient {
  /** @param {RestOptions} [options] */
  constructor(options = {}) {
    this.baseUrl = options.baseUrl ?? globalThis.location?.origin ?? '';
    this.token = options.token ?? null;
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /**
   * Call `method path` with an optional JSON body and query; resolves with the parsed JSON
   * answer (null for an empty one).
   * @param {string} method
   * @param {string} path
   * @param {{query?: Record<string, any>, body?: any, raw?: BodyInit, contentType?: string}} [options]
   * @returns {Promise<any>}
   */
  async request(method, path, options = {}) {
    const url = new URL(path, this.baseUrl || undefined);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    /** @type {Record<string, string>} */
    const headers = { Accept: 'application/json' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    /** @type {BodyInit|undefined} */
    let body;
    if (options.raw !== undefined) {
      body = options.raw;
      headers['Content-Type'] = options.contentType ?? 'application/octet-stream';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] = 'application/json';
    }
    const response = await this.fetch(url.toString(), {
      method, headers, body, credentials: this.token ? 'omit' : 'same-origin',
    });
    const text = await response.text();
    let parsed = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (!response.ok) {
      const error = parsed?.error ?? {};
      const retryAfter = Number(response.headers.get('Retry-After'));
      throw new ApiError(
        response.status, error.code ?? 'internal', error.message ?? `HTTP ${response.status}`,
        parsed, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null,
      );
    }
    return parsed;
  }

  // accounts
  /** @param {{username: string, email: string, password: string, display_name?: string}} account */
  register(account) { return this.request('POST', '/api/auth/register', { body: account }); }
  /** @param {string} token */
  verifyEmail(token) { return this.request('POST', '/api/auth/verify-email', { body: { token } }); }
  /**
   * Log in.  `sessionTransport: 'cookie'` (browsers) sets an HttpOnly cookie instead of
   * returning the token.  A bearer login stores the returned token on this client.
   * @param {string} login @param {string} password @param {{sessionTransport?: 'bearer'|'cookie'}} [options]
   */
  async login(login, password, options = {}) {
    const answer = await this.request('POST', '/api/auth/login', {
      body: { login, password, session_transport: options.sessionTransport ?? 'bearer' },
    });
    if (answer?.token) this.token = answer.token;
    return answer;
  }
  /** Finish a two-factor login. @param {string} challenge @param {string} code @param {{sessionTransport?: 'bearer'|'cookie'}} [options] */
  async loginTwoFactor(challenge, code, options = {}) {
    const answer = await this.request('POST', '/api/auth/login/two-factor', {
      body: { challenge, code, session_transport: options.sessionTransport ?? 'bearer' },
    });
    if (answer?.token) this.token = answer.token;
    return answer;
  }
  logout() { return this.request('POST', '/api/auth/logout'); }
  /** @param {string} password */
  twoFactorSetup(password) { return this.request('POST', '/api/auth/two-factor/setup', { body: { password } }); }
  /** @param {string} code */
  twoFactorEnable(code) { return this.request('POST', '/api/auth/two-factor/enable', { body: { code } }); }

  // users
  me() { return this.request('GET', '/api/users/me'); }
  /** @param {string} userId */
  user(userId) { return this.request('GET', `/api/users/${part(userId)}`); }
  /** @param {string} username */
  userByName(username) { return this.request('GET', `/api/users/by-name/${part(username)}`); }
  /** @param {string} prefix @param {number} [limit] @param {string} [cursor] */
  searchUsers(prefix, limit, cursor) { return this.request('GET', '/api/users', { query: { q: prefix, limit, cursor } }); }

  // topics, posts, comments
  /** @param {{q?: string, tag?: string, sort?: string, cursor?: string, limit?: number}} [query] */
  topics(query = {}) { return this.request('GET', '/api/topics', { query }); }
  /** @param {{title: string, description?: string, tags?: string[], invite_only?: boolean}} topic */
  createTopic(topic) { return this.request('POST', '/api/topics', { body: topic }); }
  /** @param {string} topicId */
  topic(topicId) { return this.request('GET', `/api/topics/${part(topicId)}`); }
  /** @param {string} topicId */
  joinTopic(topicId) { return this.request('POST', `/api/topics/${part(topicId)}/join`); }
  /** @param {string} topicId */
  leaveTopic(topicId) { return this.request('POST', `/api/topics/${part(topicId)}/leave`); }
  /** @param {string} topicId @param {{sort?: string, cursor?: string, limit?: number}} [query] */
  posts(topicId, query = {}) { return this.request('GET', '/api/posts', { query: { topic_id: topicId, ...query } }); }
  /** @param {{topic_id: string, title: string, body?: string, gif_url?: string, attachment_ids?: string[]}} post */
  createPost(post) { return this.request('POST', '/api/posts', { body: post }); }
  /** @param {string} postId */
  post(postId) { return this.request('GET', `/api/posts/${part(postId)}`); }
  /** @param {string} postId @param {-1|0|1} value */
  votePost(postId, value) { return this.request('PUT', `/api/posts/${part(postId)}/vote`, { body: { value } }); }
  /** @param {string} postId @param {{sort?: string, cursor?: string, limit?: number}} [query] */
  comments(postId, query = {}) { return this.request('GET', `/api/posts/${part(postId)}/comments`, { query }); }
  /** @param {string} postId @param {string} body @param {string|null} [parentId] */
  createComment(postId, body, parentId = null) {
    return this.request('POST', `/api/posts/${part(postId)}/comments`, { body: { body, parent_id: parentId } });
  }
  /** @param {string} commentId @param {-1|0|1} value */
  voteComment(commentId, value) { return this.request('PUT', `/api/comments/${part(commentId)}/vote`, { body: { value } }); }

  // chat rooms
  /** @param {{cursor?: string, limit?: number}} [query] */
  rooms(query = {}) { return this.request('GET', '/api/chat-rooms', { query }); }
  /** @param {{name: string, topic_id?: string|null, description?: string, is_private?: boolean}} room */
  createRoom(room) { return this.request('POST', '/api/chat-rooms', { body: room }); }
  /** @param {string} roomId */
  room(roomId) { return this.request('GET', `/api/chat-rooms/${part(roomId)}`); }
  /** @param {string} roomId */
  joinRoom(roomId) { return this.request('POST', `/api/chat-rooms/${part(roomId)}/join`); }
  /** @param {string} roomId */
  leaveRoom(roomId) { return this.request('POST', `/api/chat-rooms/${part(roomId)}/leave`); }
  /** @param {string} roomId @param {{cursor?: string, limit?: number}} [query] */
  roomMembers(roomId, query = {}) { return this.request('GET', `/api/chat-rooms/${part(roomId)}/members`, { query }); }
  /** A page of history, oldest first; `cursor` is the previous page's `next_cursor`. @param {string} roomId @param {{cursor?: string, limit?: number}} [query] */
  roomMessages(roomId, query = {}) { return this.request('GET', `/api/chat-rooms/${part(roomId)}/messages`, { query }); }

  // direct messages
  /** @param {{cursor?: string, limit?: number}} [query] */
  conversations(query = {}) { return this.request('GET', '/api/messages/conversations', { query }); }
  /** @param {string} conversationId @param {{cursor?: string, limit?: number}} [query] */
  conversation(conversationId, query = {}) {
    return this.request('GET', `/api/messages/conversations/${part(conversationId)}`, { query });
  }
  /** @param {string} conversationId */
  markConversationRead(conversationId) {
    return this.request('POST', `/api/messages/conversations/${part(conversationId)}/read`);
  }

  // notifications
  /** @param {{unread?: boolean, cursor?: string, limit?: number}} [query] */
  notifications(query = {}) { return this.request('GET', '/api/notifications', { query }); }
  unreadCount() { return this.request('GET', '/api/notifications/unread-count'); }
  /** @param {string[]|'all'} which */
  markNotificationsRead(which) {
    return this.request('POST', '/api/notifications/read', { body: which === 'all' ? { all: true } : { ids: which } });
  }

  // files, GIFs, calls
  /** Upload one file (the raw body). @param {string} filename @param {BodyInit} data @param {string} [contentType] */
  uploadFile(filename, data, contentType) {
    return this.request('POST', '/api/files', { query: { filename }, raw: data, contentType });
  }
  /** A signed download link. @param {string} fileId @param {{room_id?: string, seq?: number}} [query] */
  fileUrl(fileId, query = {}) { return this.request('GET', `/api/files/${part(fileId)}/url`, { query }); }
  /** @param {string} fileId */
  file(fileId) { return this.request('GET', `/api/files/${part(fileId)}`); }
  /** @param {string} q @param {{cursor?: string, limit?: number}} [query] */
  searchGifs(q, query = {}) { return this.request('GET', '/api/gifs/search', { query: { q, ...query } }); }
  /** @param {{cursor?: string, limit?: number}} [query] */
  trendingGifs(query = {}) { return this.request('GET', '/api/gifs/trending', { query }); }
  iceServers() { return this.request('GET', '/api/calls/ice-servers'); }
}
