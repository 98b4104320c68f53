// Type declarations of @topicsflow/sdk (hand-written; the frames follow
// docs/protocol-schema.json of the TopicsFlow server, protocol v1).

export declare const SUBPROTOCOL_JSON: 'topicsflow.v1.json';
export declare const SUBPROTOCOL_MSGPACK: 'topicsflow.v1.msgpack';

export type ErrorCode =
  | 'unauthorized' | 'forbidden' | 'not_found' | 'invalid' | 'conflict' | 'rate_limited'
  | 'too_large' | 'unavailable' | 'internal' | 'timeout' | 'unsupported';

export type ChannelName = `${'topic' | 'post' | 'chat_room' | 'dm' | 'user' | 'call'}:${string}`;

export declare class TopicsFlowError extends Error {}
export declare class RequestError extends TopicsFlowError {
  constructor(code: string, message: string, details?: { retryAfterMs?: number | null; frame?: object | null });
  readonly code: ErrorCode | string;
  readonly retryAfterMs: number | null;
  readonly frame: ErrorFrame | null;
}
export declare class RequestTimeoutError extends TopicsFlowError {
  readonly code: 'timeout';
  readonly requestType: string;
  readonly timeoutMs: number;
}
export declare class ConnectionLostError extends TopicsFlowError {
  readonly closeCode: number | null;
}
export declare class ApiError extends TopicsFlowError {
  readonly status: number;
  readonly code: ErrorCode | string;
  readonly body: unknown;
  readonly retryAfterMs: number | null;
}

export interface Codec {
  subprotocol: string;
  encode(frame: object): string | Uint8Array;
  decode(data: string | ArrayBuffer | Uint8Array): unknown;
}
export declare const jsonCodec: Codec;
export declare const msgpackCodec: Codec;
export declare function packMessage(value: unknown): Uint8Array;
export declare function unpackMessage(bytes: Uint8Array): unknown;

export declare const CloseCode: Readonly<{
  NORMAL: 1000; GOING_AWAY: 1001; PROTOCOL_ERROR: 1002; ABNORMAL: 1006; POLICY_VIOLATION: 1008;
  TOO_LARGE: 1009; INTERNAL_ERROR: 1011; SLOW_CONSUMER: 4000; UNAUTHORIZED: 4001;
  FORBIDDEN: 4003; RATE_LIMITED: 4008; HEARTBEAT_TIMEOUT: 4009;
}>;
export declare function shouldReconnect(code: number | null | undefined): boolean;
export declare function newNonce(): string;
export declare const channels: Readonly<{
  topic(id: string): ChannelName; post(id: string): ChannelName; chatRoom(id: string): ChannelName;
  dm(id: string): ChannelName; user(id: string): ChannelName; call(id: string): ChannelName;
}>;

// ------------------------------------------------------------------ frames

export interface Authenticated {
  type: 'authenticated'; user_id: string; session_id: string; revision: number;
  heartbeat_interval_ms: number; max_frame_bytes: number;
}
export interface MessageAccepted { type: 'message_accepted'; channel: string; seq: number; message_id: string }
export interface Sequenced { type: 'sequenced'; channel: string; seq: number }
export interface CallCreated { type: 'call_created'; call_id: string; channel: string }
export interface Ack<R = Authenticated | MessageAccepted | Sequenced | CallCreated> { type: 'ack'; id: number; result?: R }
export interface Pong { type: 'pong'; id: number; server_time: number }
export interface Subscribed { type: 'subscribed'; id: number; channel: string; resumed: boolean; complete: boolean; last_seq: number }
export interface ErrorFrame { type: 'error'; id?: number; code: ErrorCode; message: string; retry_after_ms?: number }
export interface Goodbye { type: 'goodbye'; reason: string; message?: string; reconnect_after_ms?: number | null }
export interface Evicted { type: 'evicted'; channel: string; reason: string }
export interface ModerationWarning {
  type: 'warning'; warning_id: string; reason: string; message: string; channel?: string;
  moderator_id?: string; issued_at: number;
}

export interface ChatMessage {
  id: string; author_id: string; text?: string; gif_url?: string | null;
  attachment_ids?: string[]; reply_to?: string | null; nonce?: string | null; created_at: number;
  edited_at?: number | null; [field: string]: unknown;
}
export interface Post {
  id: string; topic_id: string; author_id: string; title: string; body?: string;
  score?: number; comment_count?: number; created_at: number; [field: string]: unknown;
}
export interface Comment {
  id: string; post_id: string; parent_id?: string | null; author_id: string; body: string;
  score?: number; created_at: number; [field: string]: unknown;
}

interface On<C = string> { channel: C }
interface Seq { seq: number }
export type ChannelEvent =
  | ({ type: 'message_created'; message: ChatMessage } & On & Seq)
  | ({ type: 'message_edited'; message: ChatMessage } & On & Seq)
  | ({ type: 'message_deleted'; message_id: string; deleted_by: string } & On & Seq)
  | ({ type: 'reaction_changed'; message_id: string; user_id: string; emoji: string; action: 'add' | 'remove'; count: number } & On & Seq)
  | ({ type: 'typing'; user_id: string; state: 'start' | 'stop' } & On)
  | ({ type: 'presence_changed'; user_id: string; status: 'online' | 'away' | 'offline'; last_seen_at?: number } & On)
  | ({ type: 'read_receipt'; user_id: string; up_to_seq: number } & On)
  | ({ type: 'member_joined' | 'member_left'; user_id: string } & On & Seq)
  | ({ type: 'kicked'; user_id: string; moderator_id: string; reason?: string; banned?: boolean; ban_expires_at?: number } & On & Seq)
  | ({ type: 'post_created' | 'post_edited'; post: Post } & On & Seq)
  | ({ type: 'post_deleted'; post_id: string; deleted_by: string; reason?: string } & On & Seq)
  | ({ type: 'comment_created' | 'comment_edited'; comment: Comment } & On & Seq)
  | ({ type: 'comment_deleted'; comment_id: string; deleted_by: string } & On & Seq)
  | ({ type: 'vote_changed'; target: 'post' | 'comment'; target_id: string; score: number; upvotes: number; downvotes: number } & On & Seq)
  | ({ type: 'notification'; notification_id: string; kind: string; title: string; body?: string; actor_id?: string; subject?: string; object_id?: string; link?: string; created_at: number } & On & Seq)
  | ({ type: 'call_ringing'; call_id: string; caller_id: string; room_id?: string; media: 'audio' | 'video'; expires_at: number } & On)
  | ({ type: 'call_state'; call_id: string; state: 'ringing' | 'active' | 'ended'; participant_ids?: string[]; ended_reason?: string } & On)
  | ({ type: 'call_signal'; call_id: string; from_user_id: string; kind: 'offer' | 'answer' | 'ice'; payload: string } & On);

export type ClientFrame = { type: string; [field: string]: unknown };

export interface MessageContent { text?: string; gif_url?: string; attachment_ids?: string[]; reply_to?: string; nonce?: string }

// ------------------------------------------------------------------ client

export interface ClientOptions {
  /** The WebSocket endpoint, e.g. `ws://127.0.0.1:8000/ws`. */
  url: string;
  /** A session token sent in an `authenticate` frame; without it, the browser's session cookie. */
  token?: string | null;
  /** The WebSocket constructor (default: the global one; Node: `NodeWebSocket` from `@topicsflow/sdk/node`). */
  WebSocket?: new (url: string, protocols?: string | string[]) => WebSocket;
  /** Encodings to offer, in order of preference (default `['json']`). */
  encodings?: Array<'json' | 'msgpack'>;
  requestTimeoutMs?: number;
  reconnect?: boolean;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  heartbeat?: boolean;
  random?: () => number;
}

export type ClientState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ClientEvents {
  event: ChannelEvent;
  open: { reconnect: boolean; session: Authenticated | null };
  close: { code: number; reason: string; willReconnect: boolean; delayMs: number };
  reconnecting: { attempt: number; delayMs: number };
  resume_incomplete: { channel: string; last_seq: number };
  end: { code: number | null; reason: string; error: unknown };
  state: ClientState;
  goodbye: Goodbye;
  evicted: Evicted;
  warning: ModerationWarning;
  error_frame: ErrorFrame;
  decode_error: unknown;
}
type EventByType<T extends ChannelEvent['type']> = Extract<ChannelEvent, { type: T }>;

export declare class TopicsFlowClient {
  constructor(options: ClientOptions);
  readonly url: string;
  readonly state: ClientState;
  readonly session: Authenticated | null;
  readonly protocol: string | null;
  readonly reconnects: number;
  readonly closeCode: number | null;

  connect(): Promise<Authenticated | null>;
  close(code?: number): void;
  dropConnection(): void;

  on<K extends keyof ClientEvents>(type: K, listener: (payload: ClientEvents[K]) => void): () => void;
  on<T extends ChannelEvent['type']>(type: T, listener: (event: EventByType<T>) => void): () => void;
  off(type: string, listener: (payload: any) => void): void;
  waitFor<K extends keyof ClientEvents>(type: K, predicate?: (payload: ClientEvents[K]) => boolean, options?: { timeoutMs?: number }): Promise<ClientEvents[K]>;
  waitFor<T extends ChannelEvent['type']>(type: T, predicate?: (event: EventByType<T>) => boolean, options?: { timeoutMs?: number }): Promise<EventByType<T>>;

  request(frame: ClientFrame, options?: { timeoutMs?: number; onReply?: (reply: any) => void }): Promise<Ack | Pong | Subscribed>;
  subscribe(channel: string, options?: { sinceSeq?: number; timeoutMs?: number }): Promise<Subscribed>;
  unsubscribe(channel: string): Promise<Ack>;
  lastSeq(channel: string): number | undefined;
  subscriptions(): string[];
  ping(): Promise<Pong>;
  sendMessage(channel: string, content: MessageContent): Promise<Ack<MessageAccepted>>;
  sendDirectMessage(recipientId: string, content: { text?: string; nonce?: string }): Promise<Ack<MessageAccepted>>;
  editMessage(channel: string, messageId: string, text: string): Promise<Ack<MessageAccepted>>;
  deleteMessage(channel: string, messageId: string): Promise<Ack<MessageAccepted>>;
  typing(channel: string, state?: 'start' | 'stop'): Promise<Ack>;
  markRead(channel: string, upToSeq: number): Promise<Ack>;
  react(channel: string, messageId: string, emoji: string, action?: 'add' | 'remove'): Promise<Ack<Sequenced>>;
  setPresence(status: 'online' | 'away'): Promise<Ack>;
  callStart(target: { callee_id?: string; room_id?: string; media?: 'audio' | 'video' }): Promise<Ack<CallCreated>>;
  callAccept(callId: string): Promise<Ack>;
  callDecline(callId: string): Promise<Ack>;
  callHangup(callId: string): Promise<Ack>;
  callSignal(callId: string, targetUserId: string, kind: 'offer' | 'answer' | 'ice', payload: string): Promise<Ack>;
}

// ------------------------------------------------------------------ REST

export declare function websocketUrl(baseUrl: string): string;

export interface RestOptions { baseUrl?: string; token?: string | null; fetch?: typeof fetch }
export interface LoginResponse {
  status: 'authenticated' | 'two_factor_required'; user_id?: string; session_id?: string;
  token?: string; expires_at?: number; challenge?: string; challenge_expires_at?: number;
}
type Query = Record<string, string | number | boolean | undefined | null>;
/** Every list takes `limit` and the opaque `cursor` (a previous page's `next_cursor`). */
export interface PageQuery { cursor?: string; limit?: number }
/** Every list answers `next_cursor`: null on the last page. */
export type Page<T> = T & { next_cursor: string | null };

/** REST helpers; answers are the JSON bodies of the OpenAPI document (`/openapi.json`). */
export declare class RestClient {
  constructor(options?: RestOptions);
  baseUrl: string;
  token: string | null;
  request(method: string, path: string, options?: { query?: Query; body?: unknown; raw?: BodyInit; contentType?: string }): Promise<any>;
  register(account: { username: string; email: string; password: string; display_name?: string }): Promise<any>;
  verifyEmail(token: string): Promise<any>;
  login(login: string, password: string, options?: { sessionTransport?: 'bearer' | 'cookie' }): Promise<LoginResponse>;
  loginTwoFactor(challenge: string, code: string, options?: { sessionTransport?: 'bearer' | 'cookie' }): Promise<LoginResponse>;
  logout(): Promise<any>;
  twoFactorSetup(password: string): Promise<{ provisioning_uri: string; secret: string }>;
  twoFactorEnable(code: string): Promise<{ backup_codes: string[] }>;
  me(): Promise<any>;
  user(userId: string): Promise<any>;
  userByName(username: string): Promise<any>;
  searchUsers(prefix: string, limit?: number, cursor?: string): Promise<Page<{ users: any[] }>>;
  topics(query?: { q?: string; tag?: string; sort?: string } & PageQuery): Promise<Page<{ topics: any[] }>>;
  createTopic(topic: { title: string; description?: string; tags?: string[]; invite_only?: boolean }): Promise<any>;
  topic(topicId: string): Promise<any>;
  joinTopic(topicId: string): Promise<any>;
  leaveTopic(topicId: string): Promise<any>;
  posts(topicId: string, query?: { sort?: string } & PageQuery): Promise<Page<{ posts: any[] }>>;
  createPost(post: { topic_id: string; title: string; body?: string; gif_url?: string; attachment_ids?: string[] }): Promise<any>;
  post(postId: string): Promise<any>;
  votePost(postId: string, value: -1 | 0 | 1): Promise<{ score: number; upvotes: number; downvotes: number; my_vote: number; target_id: string }>;
  comments(postId: string, query?: { sort?: string } & PageQuery): Promise<Page<{ comments: any[] }>>;
  createComment(postId: string, body: string, parentId?: string | null): Promise<any>;
  voteComment(commentId: string, value: -1 | 0 | 1): Promise<any>;
  rooms(query?: PageQuery): Promise<Page<{ rooms: any[] }>>;
  createRoom(room: { name: string; topic_id?: string | null; description?: string; is_private?: boolean }): Promise<any>;
  room(roomId: string): Promise<any>;
  joinRoom(roomId: string): Promise<any>;
  leaveRoom(roomId: string): Promise<any>;
  roomMembers(roomId: string, query?: PageQuery): Promise<Page<{ members: any[] }>>;
  roomMessages(roomId: string, query?: PageQuery): Promise<Page<{ messages: any[] }>>;
  conversations(query?: PageQuery): Promise<Page<{ conversations: any[]; unread_total: number }>>;
  conversation(conversationId: string, query?: PageQuery): Promise<Page<{ channel: string; conversation_id: string; last_seq: number; messages: any[] }>>;
  markConversationRead(conversationId: string): Promise<any>;
  notifications(query?: { unread?: boolean } & PageQuery): Promise<Page<{ notifications: any[] }>>;
  unreadCount(): Promise<{ unread: number }>;
  markNotificationsRead(which: string[] | 'all'): Promise<{ marked: number }>;
  uploadFile(filename: string, data: BodyInit, contentType?: string): Promise<{ id: string; name: string; size: number; content_type: string; owner_id: string; created_at: number }>;
  fileUrl(fileId: string, query?: { room_id?: string; seq?: number }): Promise<{ url: string; expires_at: number }>;
  file(fileId: string): Promise<any>;
  searchGifs(q: string, query?: PageQuery): Promise<Page<{ results: any[] }>>;
  trendingGifs(query?: PageQuery): Promise<Page<{ results: any[] }>>;
  iceServers(): Promise<any>;
}
