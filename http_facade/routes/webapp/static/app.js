/**
 * The TopicsFlow reference web app: plain ES modules on the SDK (`./sdk/`), no build step.
 *
 * Sessions use the HttpOnly session cookie (login with `session_transport: cookie`); the
 * WebSocket is authenticated by the same cookie.  Views are hash routes:
 * `#/topic/<id>`, `#/post/<id>`, `#/room/<id>`, `#/dm/<conversation>`, `#/notifications`,
 * `#/security`.  A chat view loads the newest history page over REST and then subscribes
 * with `since_seq` = the newest seq it holds, so nothing sent in between is missed (after
 * a reload too); the SDK resumes the subscription by itself after a reconnect.
 *
 * User text is never HTML: every node is built with `textContent` (see dom.js).
 */

import {
  ApiError, RestClient, TopicsFlowClient, channels, websocketUrl,
} from './sdk/index.js';
import { h, httpsUrl, labelled, localUrl, timeElement } from './dom.js';

const REACTIONS = ['👍', '❤️', '😂'];
const TYPING_RENEW_MS = 3000;
const TYPING_IDLE_MS = 4000;
const TYPING_SHOWN_MS = 9000;

const rest = new RestClient();
/** @type {TopicsFlowClient|null} */
let client = null;
/** @type {any} */
let me = null;
/** @type {{dispose?: () => void, onEvent?: (event: any) => void}|null} */
let view = null;
let unread = 0;
/** @type {any} */
let call = null;

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

// ---------------------------------------------------------------- feedback

let toastTimer = 0;
/** @param {unknown} error */
function showError(error) {
  const toast = $('toast');
  const text = error instanceof ApiError || (error && typeof error === 'object' && 'code' in error)
    ? `${/** @type {any} */ (error).message} (${/** @type {any} */ (error).code})`
    : String(/** @type {any} */ (error)?.message ?? error);
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => { toast.hidden = true; }, 8000);
}

/** Run `action`, reporting a failure. @param {() => Promise<any>} action */
async function attempt(action) {
  try {
    return await action();
  } catch (error) {
    showError(error);
    return undefined;
  }
}

// ---------------------------------------------------------------- people

/** @type {Map<string, Promise<any>>} */
const profiles = new Map();

/** @param {string} id */
function profile(id) {
  if (!profiles.has(id)) {
    profiles.set(id, rest.user(id).catch(() => ({ id, username: id, display_name: '' })));
  }
  return /** @type {Promise<any>} */ (profiles.get(id));
}

/** An element showing the user's name once known. @param {string|null} id */
function userName(id) {
  const span = h('span', { class: 'user' }, id ? '…' : 'anonymous');
  if (id) {
    span.dataset.userId = id;
    profile(id).then((found) => { span.textContent = found.display_name || found.username; });
  }
  return span;
}

// ---------------------------------------------------------------- auth screen

function showAuth() {
  $('auth').hidden = false;
  $('app').hidden = true;
  $('account-nav').hidden = true;
  $('connection').textContent = '';
}

function wireAuth() {
  let challenge = '';
  let registeredEmail = '';
  const status = $('auth-status');
  const say = (/** @type {string} */ text) => { status.textContent = text; };

  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.target);
    const data = new FormData(form);
    try {
      const answer = await rest.login(String(data.get('login')), String(data.get('password')), { sessionTransport: 'cookie' });
      if (answer.status === 'two_factor_required') {
        challenge = answer.challenge;
        $('totp-form').hidden = false;
        /** @type {HTMLInputElement} */ ($('totp-code')).focus();
        say('Enter the code from your authenticator app.');
        return;
      }
      form.reset();
      await begin();
    } catch (error) {
      say(`Login failed: ${/** @type {any} */ (error).message}`);
    }
  });

  $('totp-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.target);
    try {
      await rest.loginTwoFactor(challenge, String(new FormData(form).get('code')).trim(), { sessionTransport: 'cookie' });
      form.reset();
      form.hidden = true;
      await begin();
    } catch (error) {
      say(`The code was not accepted: ${/** @type {any} */ (error).message}`);
    }
  });

  $('register-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.target);
    const data = new FormData(form);
    registeredEmail = String(data.get('email'));
    try {
      const displayName = String(data.get('display_name') ?? '').trim();
      await rest.register({
        username: String(data.get('username')), email: registeredEmail, password: String(data.get('password')),
        ...(displayName ? { display_name: displayName } : {}),
      });
      form.reset();
      $('verify-panel').hidden = false;
      say(`Account created. Confirm ${registeredEmail} to log in.`);
      $('outbox-button').focus();
    } catch (error) {
      say(`Registration failed: ${/** @type {any} */ (error).message}`);
    }
  });

  $('outbox-button').addEventListener('click', async () => {
    try {
      const outbox = await rest.request('GET', '/dev/outbox', { query: { to: registeredEmail } });
      const link = (outbox.messages ?? []).flatMap((/** @type {any} */ m) => m.links).find((/** @type {string} */ l) => l.includes('token='));
      if (!link) {
        say('No confirmation mail in the outbox yet.');
        return;
      }
      /** @type {HTMLInputElement} */ ($('verify-token')).value = new URL(link).searchParams.get('token') ?? '';
      say(`Found the confirmation mail to ${registeredEmail}. Press "Confirm address".`);
    } catch (error) {
      say(`The outbox is not available (${/** @type {any} */ (error).message}); paste the token from the mail.`);
    }
  });

  $('verify-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.target);
    try {
      await rest.verifyEmail(String(new FormData(form).get('token')).trim());
      form.reset();
      $('verify-panel').hidden = true;
      say('Your address is confirmed. You can log in now.');
      /** @type {HTMLInputElement} */ ($('login-name')).focus();
    } catch (error) {
      say(`Confirmation failed: ${/** @type {any} */ (error).message}`);
    }
  });
}

// ---------------------------------------------------------------- session

async function begin() {
  me = await rest.me();
  $('auth').hidden = true;
  $('app').hidden = false;
  $('account-nav').hidden = false;
  $('me-name').textContent = me.display_name || me.username;
  profiles.set(me.id, Promise.resolve(me));
  client = new TopicsFlowClient({ url: websocketUrl(location.origin) });
  client.on('state', (state) => {
    const labels = { connecting: 'Connecting…', open: 'Connected', reconnecting: 'Reconnecting…', closed: 'Disconnected' };
    $('connection').textContent = labels[/** @type {keyof labels} */ (state)] ?? state;
    $('connection').dataset.state = state;
  });
  client.on('event', (event) => {
    if (event.channel === channels.user(me.id)) onUserEvent(event);
    else if (call && event.channel === channels.call(call.id)) onCallEvent(event);
    else view?.onEvent?.(event);
  });
  client.on('resume_incomplete', () => route());
  client.on('evicted', (frame) => showError({ message: `You were removed from ${frame.channel} (${frame.reason})`, code: frame.reason }));
  client.on('warning', (frame) => showError({ message: frame.message, code: 'warning' }));
  client.on('end', (info) => {
    if (info.code === 4001) {
      showAuth();
    }
  });
  await client.connect();
  await client.subscribe(channels.user(me.id));
  setUnread((await rest.unreadCount()).unread);
  await Promise.all([loadTopics(), loadRooms(), loadConversations()]);
  await route();
}

function wireAccount() {
  $('logout-button').addEventListener('click', async () => {
    await attempt(() => rest.logout());
    client?.close();
    client = null;
    view?.dispose?.();
    view = null;
    $('content').replaceChildren();
    history.replaceState(null, '', location.pathname);
    showAuth();
  });
  $('notifications-button').addEventListener('click', () => { location.hash = '#/notifications'; });
  $('security-button').addEventListener('click', () => { location.hash = '#/security'; });
}

/** @param {number} count */
function setUnread(count) {
  unread = Math.max(0, count);
  const badge = $('unread-badge');
  badge.textContent = String(unread);
  badge.dataset.count = String(unread);
}

// ---------------------------------------------------------------- sidebar

async function loadTopics(query = '') {
  const answer = await attempt(() => rest.topics(query ? { q: query, limit: 30 } : { limit: 30 }));
  if (!answer) return;
  $('topic-list').replaceChildren(...answer.topics.map((/** @type {any} */ topic) => h('li', {},
    h('a', { href: `#/topic/${encodeURIComponent(topic.id)}` }, topic.title),
    h('span', { class: 'muted' }, ` · ${topic.member_count} members`))));
  if (!answer.topics.length) $('topic-list').append(h('li', { class: 'muted' }, 'No topics found.'));
}

async function loadRooms() {
  const answer = await attempt(() => rest.rooms());
  if (!answer) return;
  $('room-list').replaceChildren(...answer.rooms.map((/** @type {any} */ room) => h('li', {},
    h('a', { href: `#/room/${encodeURIComponent(room.id)}` }, `# ${room.name}`))));
  if (!answer.rooms.length) $('room-list').append(h('li', { class: 'muted' }, 'No rooms yet.'));
}

async function loadConversations() {
  const answer = await attempt(() => rest.conversations());
  if (!answer) return;
  $('dm-list').replaceChildren(...answer.conversations.map((/** @type {any} */ conversation) => h('li', {},
    h('a', { href: `#/dm/${encodeURIComponent(conversation.id)}`, dataset: { other: conversation.other_user_id } },
      userName(conversation.other_user_id)),
    conversation.unread_count ? h('span', { class: 'badge' }, String(conversation.unread_count)) : null)));
}

function wireSidebar() {
  $('topic-search').addEventListener('submit', (event) => {
    event.preventDefault();
    loadTopics(String(new FormData(/** @type {HTMLFormElement} */ (event.target)).get('q') ?? '').trim());
  });
  $('topic-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.target);
    const data = new FormData(form);
    const topic = await attempt(() => rest.createTopic({
      title: String(data.get('title')), description: String(data.get('description') ?? ''),
    }));
    if (!topic) return;
    form.reset();
    await loadTopics();
    location.hash = `#/topic/${encodeURIComponent(topic.id)}`;
  });
  $('dm-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.target);
    const data = new FormData(form);
    await attempt(async () => {
      const other = await rest.userByName(String(data.get('username')).trim());
      const ack = await /** @type {TopicsFlowClient} */ (client).sendDirectMessage(other.id, { text: String(data.get('text')) });
      form.reset();
      await loadConversations();
      location.hash = `#/dm/${encodeURIComponent(ack.result.channel.slice('dm:'.length))}`;
    });
  });
}

// ---------------------------------------------------------------- routing

async function route() {
  if (!me || !client) return;
  view?.dispose?.();
  view = null;
  const [, kind, id] = location.hash.match(/^#\/([a-z]+)\/?([A-Za-z0-9_-]*)$/) ?? [];
  const content = $('content');
  content.replaceChildren();
  $('notifications-button').setAttribute('aria-expanded', String(kind === 'notifications'));
  const views = {
    topic: topicView, post: postView, room: roomView, dm: dmView,
    notifications: notificationsView, security: securityView,
  };
  const make = views[/** @type {keyof views} */ (kind)];
  const next = make ? await attempt(() => make(content, id)) : homeView(content);
  view = next ?? null;
}

/** @param {HTMLElement} content */
function homeView(content) {
  content.append(h('section', { class: 'card' },
    h('h2', {}, `Hello, ${me.display_name || me.username}`),
    h('p', {}, 'Pick a topic on the left, search for one, or create your own; chat rooms live inside topics.')));
  return {};
}

// ---------------------------------------------------------------- topics and posts

/** A score with up and down buttons. */
function voteControls(/** @type {any} */ item, /** @type {(value: number) => Promise<any>} */ cast, /** @type {string} */ what) {
  const score = h('span', { class: 'score', 'aria-label': 'score' }, String(item.score));
  const up = h('button', { type: 'button', class: 'vote', 'aria-label': `Upvote ${what}`, 'aria-pressed': String(item.my_vote === 1) }, '▲');
  const down = h('button', { type: 'button', class: 'vote', 'aria-label': `Downvote ${what}`, 'aria-pressed': String(item.my_vote === -1) }, '▼');
  let mine = item.my_vote ?? 0;
  const apply = (/** @type {any} */ result) => {
    score.textContent = String(result.score);
    if ('my_vote' in result) {
      mine = result.my_vote;
      up.setAttribute('aria-pressed', String(mine === 1));
      down.setAttribute('aria-pressed', String(mine === -1));
    }
  };
  up.addEventListener('click', async () => { const r = await attempt(() => cast(mine === 1 ? 0 : 1)); if (r) apply(r); });
  down.addEventListener('click', async () => { const r = await attempt(() => cast(mine === -1 ? 0 : -1)); if (r) apply(r); });
  return { element: h('div', { class: 'votes' }, up, score, down), apply };
}

/** @param {HTMLElement} content @param {string} topicId */
async function topicView(content, topicId) {
  const topic = await rest.topic(topicId);
  const channel = channels.topic(topicId);
  const posts = h('ol', { class: 'posts', 'aria-label': 'Posts' });
  /** @type {Map<string, {apply: (r: any) => void}>} */
  const postVotes = new Map();
  const addPost = (/** @type {any} */ post, /** @type {boolean} */ first) => {
    if (postVotes.has(post.id)) return;
    const votes = voteControls(post, (value) => rest.votePost(post.id, /** @type {any} */ (value)), post.title);
    postVotes.set(post.id, votes);
    const item = h('li', { class: 'post' }, votes.element, h('div', {},
      h('h3', {}, h('a', { href: `#/post/${encodeURIComponent(post.id)}` }, post.title)),
      h('p', { class: 'muted' }, 'by ', post.anonymous ? (post.alias || 'anonymous') : userName(post.author_id),
        ` · ${post.comment_count ?? 0} comments`),
      post.body ? h('p', { class: 'body' }, post.body) : null));
    if (first) posts.prepend(item); else posts.append(item);
  };
  const joinButton = h('button', { type: 'button' }, 'Join this topic');
  joinButton.addEventListener('click', async () => { if (await attempt(() => rest.joinTopic(topicId))) route(); });
  const roomName = h('input', { name: 'name', required: true, maxlength: 100 });
  const roomForm = h('form', { class: 'inline-form' }, ...labelled('New chat room', roomName), h('button', { type: 'submit' }, 'Create room'));
  roomForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const room = await attempt(() => rest.createRoom({ name: roomName.value, topic_id: topicId, is_private: false }));
    if (!room) return;
    await loadRooms();
    location.hash = `#/room/${encodeURIComponent(room.id)}`;
  });
  const title = h('input', { name: 'title', required: true, maxlength: 300 });
  const body = h('textarea', { name: 'body', rows: 3, maxlength: 40000 });
  const postForm = h('form', { class: 'stack' }, h('h3', {}, 'New post'), ...labelled('Title', title), ...labelled('Text', body),
    h('button', { type: 'submit' }, 'Publish'));
  postForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const post = await attempt(() => rest.createPost({
      topic_id: topicId, title: /** @type {HTMLInputElement} */ (title).value, body: /** @type {HTMLTextAreaElement} */ (body).value,
    }));
    if (!post) return;
    /** @type {HTMLFormElement} */ (postForm).reset();
    addPost(post, true);
  });
  content.append(h('article', { class: 'topic' },
    h('h2', {}, topic.title),
    topic.description ? h('p', { class: 'description' }, topic.description) : null,
    h('p', { class: 'muted' }, `${topic.member_count} members · ${topic.post_count} posts`, topic.my_role ? ` · you are ${topic.my_role}` : ''),
    topic.my_role ? roomForm : joinButton,
    postForm,
    h('h3', {}, 'Posts'),
    posts));
  const page = await rest.posts(topicId, { limit: 50 });
  page.posts.forEach((/** @type {any} */ post) => addPost(post, false));
  await client?.subscribe(channel);
  return {
    dispose: () => { client?.unsubscribe(channel).catch(() => {}); },
    onEvent: (/** @type {any} */ event) => {
      if (event.channel !== channel) return;
      if (event.type === 'post_created') addPost({ ...event.post, my_vote: 0 }, true);
      if (event.type === 'vote_changed' && event.target === 'post') postVotes.get(event.target_id)?.apply(event);
    },
  };
}

/** @param {HTMLElement} content @param {string} postId */
async function postView(content, postId) {
  const post = await rest.post(postId);
  const channel = channels.post(postId);
  const tree = h('ul', { class: 'comments', 'aria-label': 'Comments' });
  /** @type {Map<string, {children: HTMLElement, votes: any}>} */
  const nodes = new Map();
  const replyForm = (/** @type {string|null} */ parentId) => {
    const text = h('textarea', { name: 'body', rows: 2, required: true, maxlength: 10000 });
    const form = h('form', { class: 'stack reply' }, ...labelled(parentId ? 'Reply' : 'Comment', text),
      h('button', { type: 'submit' }, parentId ? 'Reply' : 'Comment'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const made = await attempt(() => rest.createComment(postId, /** @type {HTMLTextAreaElement} */ (text).value, parentId));
      if (!made) return;
      /** @type {HTMLFormElement} */ (form).reset();
      addComment(made);
      if (parentId) form.remove();
    });
    return form;
  };
  const addComment = (/** @type {any} */ comment) => {
    if (nodes.has(comment.id)) return;
    const children = h('ul', { class: 'comments' });
    const votes = voteControls({ score: comment.score ?? 0, my_vote: comment.my_vote ?? 0 },
      (value) => rest.voteComment(comment.id, /** @type {any} */ (value)), 'comment');
    nodes.set(comment.id, { children, votes });
    const replyButton = h('button', { type: 'button', class: 'link' }, 'Reply');
    const item = h('li', { class: 'comment', id: `c-${comment.id}` }, votes.element, h('div', {},
      h('p', { class: 'muted' }, comment.anonymous ? (comment.alias || 'anonymous') : userName(comment.author_id)),
      h('p', { class: 'body' }, comment.deleted ? '(deleted)' : comment.body),
      replyButton, children));
    replyButton.addEventListener('click', () => {
      const form = replyForm(comment.id);
      replyButton.after(form);
      form.querySelector('textarea')?.focus();
    });
    const parent = comment.parent_id ? nodes.get(comment.parent_id) : null;
    (parent ? parent.children : tree).append(item);
  };
  const votes = voteControls(post, (value) => rest.votePost(postId, /** @type {any} */ (value)), post.title);
  content.append(h('article', { class: 'post-detail' },
    h('p', {}, h('a', { href: `#/topic/${encodeURIComponent(post.topic_id)}` }, '← Back to the topic')),
    h('div', { class: 'post' }, votes.element, h('div', {},
      h('h2', {}, post.title),
      h('p', { class: 'muted' }, 'by ', post.anonymous ? (post.alias || 'anonymous') : userName(post.author_id)),
      post.body ? h('p', { class: 'body' }, post.body) : null,
      httpsUrl(post.gif_url) ? h('img', { class: 'gif', src: httpsUrl(post.gif_url), alt: 'GIF', referrerpolicy: 'no-referrer' }) : null)),
    h('h3', {}, 'Comments'), replyForm(null), tree));
  (await rest.comments(postId)).comments.forEach(addComment);
  await client?.subscribe(channel);
  return {
    dispose: () => { client?.unsubscribe(channel).catch(() => {}); },
    onEvent: (/** @type {any} */ event) => {
      if (event.channel !== channel) return;
      if (event.type === 'comment_created') addComment(event.comment);
      if (event.type === 'vote_changed' && event.target === 'comment') nodes.get(event.target_id)?.votes.apply(event);
    },
  };
}

// ---------------------------------------------------------------- chat (rooms and DMs)

/**
 * The chat pane shared by rooms and direct conversations.
 * @param {HTMLElement} content
 * @param {{channel: string, title: string, history: any[], sinceSeq: number, direct: boolean,
 *   roomId?: string, otherId?: string, header?: HTMLElement[]}} options
 */
async function chatView(content, options) {
  const { channel } = options;
  const live = /** @type {TopicsFlowClient} */ (client);
  const list = h('ol', { class: 'messages', role: 'log', 'aria-label': `Messages in ${options.title}` });
  const typingLine = h('p', { class: 'typing', 'aria-live': 'polite' });
  const presence = h('ul', { class: 'presence', 'aria-label': 'Who is here' });
  /** @type {Map<string, {item: HTMLElement, text: HTMLElement, reactions: HTMLElement, seen: HTMLElement, seq: number, author: string, emoji: Map<string, Set<string>>}>} */
  const messages = new Map();
  /** @type {Map<string, number>} */
  const reads = new Map();
  /** @type {Map<string, number>} */
  const typists = new Map();
  /** @type {Map<string, HTMLElement>} */
  const presenceItems = new Map();
  let newestSeq = 0;

  const renderSeen = () => {
    for (const entry of messages.values()) entry.seen.replaceChildren();
    /** @type {Map<any, string[]>} */
    const byMessage = new Map();
    const ordered = [...messages.values()].sort((a, b) => a.seq - b.seq);
    for (const [userId, upTo] of reads) {
      if (userId === me.id) continue;
      const target = ordered.filter((entry) => entry.seq <= upTo && entry.author !== userId).at(-1);
      if (target) byMessage.set(target, [...(byMessage.get(target) ?? []), userId]);
    }
    for (const [entry, readers] of byMessage) {
      entry.seen.append('Seen by ', ...readers.flatMap((id, i) => (i ? [', ', userName(id)] : [userName(id)])));
    }
  };

  const renderReactions = (/** @type {any} */ entry, /** @type {string} */ messageId) => {
    entry.reactions.replaceChildren(...[...entry.emoji].filter(([, users]) => users.size).map(([emoji, users]) => {
      const mine = users.has(me.id);
      const button = h('button', { type: 'button', class: 'reaction', 'aria-pressed': String(mine), 'aria-label': `${emoji} ${users.size}, ${mine ? 'remove my reaction' : 'react'}` }, `${emoji} ${users.size}`);
      button.addEventListener('click', () => attempt(() => live.react(channel, messageId, emoji, mine ? 'remove' : 'add')));
      return button;
    }));
  };

  const attachmentLink = (/** @type {string} */ fileId, /** @type {number} */ seq) => {
    const link = h('a', { class: 'attachment', rel: 'noopener' }, '📎 attachment');
    Promise.all([
      rest.fileUrl(fileId, options.roomId ? { room_id: options.roomId, seq } : {}),
      rest.file(fileId).catch(() => null),
    ]).then(([signed, meta]) => {
      const url = localUrl(signed.url);
      if (url) link.setAttribute('href', url);
      if (meta) link.textContent = `📎 ${meta.name} (${Math.ceil(meta.size / 1024)} KiB)`;
    }).catch(() => { link.textContent = '📎 attachment (unavailable)'; });
    return link;
  };

  const addMessage = (/** @type {any} */ message, /** @type {number} */ seq) => {
    newestSeq = Math.max(newestSeq, seq);
    const existing = messages.get(message.id);
    if (existing) {
      existing.text.textContent = message.deleted ? '(deleted)' : message.text;
      return;
    }
    const text = h('p', { class: 'text' }, message.deleted ? '(deleted)' : message.text);
    const reactions = h('div', { class: 'reactions' });
    const seen = h('p', { class: 'seen' });
    const gif = httpsUrl(message.gif_url);
    const mine = message.author_id === me.id;
    const item = h('li', { class: mine ? 'message mine' : 'message', id: `m-${message.id}`, dataset: { seq: String(seq) } },
      h('p', { class: 'meta' }, userName(message.author_id), ' ', timeElement(message.created_at)),
      text,
      gif ? h('img', { class: 'gif', src: gif, alt: 'GIF', referrerpolicy: 'no-referrer', loading: 'lazy' }) : null,
      (message.attachment_ids ?? []).length
        ? h('p', { class: 'attachments' }, ...message.attachment_ids.map((/** @type {string} */ id) => attachmentLink(id, seq)))
        : null,
      reactions,
      options.direct ? null : h('div', { class: 'react-actions' }, ...REACTIONS.map((emoji) => {
        const button = h('button', { type: 'button', class: 'react', 'aria-label': `React with ${emoji}` }, emoji);
        button.addEventListener('click', () => {
          const users = entry.emoji.get(emoji);
          attempt(() => live.react(channel, message.id, emoji, users?.has(me.id) ? 'remove' : 'add'));
        });
        return button;
      })),
      seen);
    const entry = { item, text, reactions, seen, seq, author: message.author_id, emoji: new Map() };
    for (const reaction of message.reactions ?? []) entry.emoji.set(reaction.emoji, new Set(reaction.user_ids));
    messages.set(message.id, entry);
    renderReactions(entry, message.id);
    list.append(item);
    item.scrollIntoView?.({ block: 'nearest' });
  };

  const renderTyping = () => {
    const names = [...typists.keys()];
    typingLine.replaceChildren();
    if (!names.length) return;
    typingLine.append(...names.flatMap((id, i) => (i ? [', ', userName(id)] : [userName(id)])),
      names.length > 1 ? ' are typing…' : ' is typing…');
  };

  const setPresence = (/** @type {string} */ userId, /** @type {string} */ status) => {
    let item = presenceItems.get(userId);
    if (!item) {
      item = h('li', {});
      presenceItems.set(userId, item);
      presence.append(item);
    }
    item.dataset.status = status;
    item.replaceChildren(h('span', { class: `dot ${status}`, 'aria-hidden': 'true' }), userName(userId), h('span', { class: 'muted' }, ` (${status})`));
  };

  // Read receipts: mark what is shown as read while the page is visible.
  let markTimer = 0;
  let markedSeq = 0;
  const markRead = () => {
    clearTimeout(markTimer);
    markTimer = window.setTimeout(() => {
      const upTo = Math.max(newestSeq, live.lastSeq(channel) ?? 0);
      if (document.visibilityState !== 'visible' || upTo <= markedSeq) return;
      markedSeq = upTo;
      live.markRead(channel, upTo).catch(() => { markedSeq = 0; });
    }, 250);
  };
  const onVisible = () => markRead();
  document.addEventListener('visibilitychange', onVisible);

  // The composer: text, attachments, GIFs, typing indicator.
  const text = /** @type {HTMLTextAreaElement} */ (h('textarea', { name: 'text', rows: 2, maxlength: 4000, placeholder: 'Write a message' }));
  /** @type {string[]} */
  let pending = [];
  const pendingList = h('p', { class: 'pending', 'aria-live': 'polite' });
  let typingSentAt = 0;
  let idleTimer = 0;
  const stopTyping = () => {
    clearTimeout(idleTimer);
    if (typingSentAt) live.typing(channel, 'stop').catch(() => {});
    typingSentAt = 0;
  };
  text.addEventListener('input', () => {
    if (!text.value) {
      stopTyping();
      return;
    }
    if (Date.now() - typingSentAt > TYPING_RENEW_MS) {
      typingSentAt = Date.now();
      live.typing(channel, 'start').catch(() => {});
    }
    clearTimeout(idleTimer);
    idleTimer = window.setTimeout(stopTyping, TYPING_IDLE_MS);
  });
  text.addEventListener('blur', stopTyping);
  const send = async (/** @type {any} */ messageContent) => {
    const ack = await attempt(() => live.sendMessage(channel, messageContent));
    return Boolean(ack);
  };
  const composer = h('form', { class: 'composer' }, ...labelled('Message', text), pendingList, h('button', { type: 'submit' }, 'Send'));
  composer.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = text.value;
    if (!body.trim() && !pending.length) return;
    stopTyping();
    const sent = await send(options.direct ? { text: body } : { text: body || undefined, attachment_ids: pending.length ? pending : undefined });
    if (sent) {
      text.value = '';
      pending = [];
      pendingList.textContent = '';
    }
  });
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  /** @type {HTMLElement[]} */
  const extras = [];
  if (!options.direct) {
    const file = /** @type {HTMLInputElement} */ (h('input', { type: 'file', name: 'file' }));
    file.addEventListener('change', async () => {
      const chosen = file.files?.[0];
      if (!chosen) return;
      const uploaded = await attempt(() => rest.uploadFile(chosen.name, chosen, chosen.type || 'application/octet-stream'));
      file.value = '';
      if (!uploaded) return;
      pending.push(uploaded.id);
      pendingList.textContent = `Attached: ${pending.length} file(s), sent with the next message.`;
    });
    const gifQuery = h('input', { type: 'search', name: 'q', maxlength: 50 });
    const gifResults = h('ul', { class: 'gif-results', 'aria-label': 'GIF results' });
    const gifForm = h('form', { class: 'inline-form' }, ...labelled('Search GIFs', gifQuery), h('button', { type: 'submit' }, 'Search'));
    gifForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const found = await attempt(() => rest.searchGifs(/** @type {HTMLInputElement} */ (gifQuery).value, { limit: 8 }));
      if (!found) return;
      gifResults.replaceChildren(...found.results.map((/** @type {any} */ gif) => {
        const preview = httpsUrl(gif.preview_url);
        const url = httpsUrl(gif.url);
        if (!preview || !url) return null;
        const button = h('button', { type: 'button', class: 'gif-choice', 'aria-label': `Send GIF: ${gif.title || 'untitled'}` },
          h('img', { src: preview, alt: '', referrerpolicy: 'no-referrer' }));
        button.addEventListener('click', async () => { if (await send({ gif_url: url })) gifResults.replaceChildren(); });
        return h('li', {}, button);
      }).filter(Boolean));
    });
    extras.push(h('div', { class: 'composer-extras' }, h('div', {}, ...labelled('Attach a file', file)), gifForm, gifResults));
  }

  const callButton = h('button', { type: 'button' }, options.direct ? 'Call' : 'Call the room');
  callButton.addEventListener('click', () => startCall(options.direct ? { callee_id: options.otherId } : { room_id: options.roomId }));

  content.append(h('article', { class: 'chat' },
    h('header', { class: 'chat-header' }, h('h2', {}, options.title), callButton, ...(options.header ?? [])),
    h('div', { class: 'chat-body' }, h('div', { class: 'chat-main' }, list, typingLine, composer, ...extras),
      h('aside', { class: 'chat-side', 'aria-label': 'People' }, h('h3', {}, 'People'), presence))));

  options.history.forEach((message) => addMessage(message, message.seq ?? 0));
  if (options.roomId) {
    const members = await rest.roomMembers(options.roomId, { limit: 100 }).catch(() => ({ members: [] }));
    for (const member of members.members ?? []) setPresence(member.user_id, member.user_id === me.id ? 'online' : 'unknown');
  } else if (options.otherId) {
    setPresence(me.id, 'online');
    setPresence(options.otherId, 'unknown');
  }
  await live.subscribe(channel, { sinceSeq: options.sinceSeq });
  markRead();
  text.focus();

  const typingTimers = new Map();
  return {
    dispose: () => {
      stopTyping();
      clearTimeout(markTimer);
      typingTimers.forEach((timer) => clearTimeout(timer));
      document.removeEventListener('visibilitychange', onVisible);
      live.unsubscribe(channel).catch(() => {});
    },
    onEvent: (/** @type {any} */ event) => {
      if (event.channel !== channel) return;
      if (typeof event.seq === 'number') newestSeq = Math.max(newestSeq, event.seq);
      switch (event.type) {
        case 'message_created':
        case 'message_edited':
          addMessage(event.message, event.type === 'message_created' ? event.seq : messages.get(event.message.id)?.seq ?? event.seq);
          typists.delete(event.message.author_id);
          renderTyping();
          renderSeen();
          markRead();
          break;
        case 'message_deleted': {
          const entry = messages.get(event.message_id);
          if (entry) entry.text.textContent = '(deleted)';
          break;
        }
        case 'reaction_changed': {
          const entry = messages.get(event.message_id);
          if (!entry) break;
          const users = entry.emoji.get(event.emoji) ?? new Set();
          if (event.action === 'add') users.add(event.user_id); else users.delete(event.user_id);
          entry.emoji.set(event.emoji, users);
          renderReactions(entry, event.message_id);
          break;
        }
        case 'typing':
          if (event.user_id === me.id) break;
          clearTimeout(typingTimers.get(event.user_id));
          if (event.state === 'start') {
            typists.set(event.user_id, Date.now());
            typingTimers.set(event.user_id, window.setTimeout(() => { typists.delete(event.user_id); renderTyping(); }, TYPING_SHOWN_MS));
          } else {
            typists.delete(event.user_id);
          }
          renderTyping();
          break;
        case 'read_receipt':
          reads.set(event.user_id, Math.max(reads.get(event.user_id) ?? 0, event.up_to_seq));
          renderSeen();
          break;
        case 'presence_changed':
          setPresence(event.user_id, event.status);
          break;
        case 'member_joined':
          setPresence(event.user_id, presenceItems.get(event.user_id)?.dataset.status ?? 'unknown');
          break;
        case 'member_left':
        case 'kicked':
          presenceItems.get(event.user_id)?.remove();
          presenceItems.delete(event.user_id);
          break;
        default:
          break;
      }
    },
  };
}

/** @param {HTMLElement} content @param {string} roomId */
async function roomView(content, roomId) {
  let room;
  try {
    room = await rest.room(roomId);
  } catch (error) {
    if (!(error instanceof ApiError) || !['forbidden', 'not_found'].includes(error.code)) throw error;
    const join = h('button', { type: 'button' }, 'Join this room');
    join.addEventListener('click', async () => {
      if (await attempt(() => rest.joinRoom(roomId))) {
        await loadRooms();
        route();
      }
    });
    content.append(h('section', { class: 'card' }, h('h2', {}, 'A chat room'),
      h('p', {}, 'You are not a member of this room yet.'), join));
    join.focus();
    return {};
  }
  const history = await rest.roomMessages(roomId, { limit: 50 });
  const newest = history.messages.reduce((top, /** @type {any} */ m) => Math.max(top, m.seq), 0);
  const invitee = h('input', { name: 'username', required: true, maxlength: 32 });
  const invite = h('form', { class: 'inline-form' }, ...labelled('Invite (username)', invitee), h('button', { type: 'submit' }, 'Invite'));
  invite.addEventListener('submit', async (event) => {
    event.preventDefault();
    await attempt(async () => {
      const other = await rest.userByName(/** @type {HTMLInputElement} */ (invitee).value.trim());
      await rest.request('POST', `/api/chat-rooms/${encodeURIComponent(roomId)}/invitations`, { body: { user_id: other.id } });
      /** @type {HTMLFormElement} */ (invite).reset();
    });
  });
  return chatView(content, {
    channel: channels.chatRoom(roomId), title: `# ${room.name}`, history: history.messages,
    sinceSeq: newest, direct: false, roomId,
    header: [room.description ? h('p', { class: 'description' }, room.description) : h('span'), invite],
  });
}

/** @param {HTMLElement} content @param {string} conversationId */
async function dmView(content, conversationId) {
  const page = await rest.conversation(conversationId, { limit: 50 });
  const first = page.messages.find((/** @type {any} */ m) => m.author_id !== me.id || m.recipient_id !== me.id);
  const otherId = first ? (first.author_id === me.id ? first.recipient_id : first.author_id) : undefined;
  const other = otherId ? await profile(otherId) : null;
  await attempt(() => rest.markConversationRead(conversationId));
  return chatView(content, {
    channel: page.channel, title: other ? `Direct messages with ${other.display_name || other.username}` : 'Direct messages',
    history: page.messages, sinceSeq: page.last_seq, direct: true, otherId,
  });
}

// ---------------------------------------------------------------- notifications

/** @param {string|null|undefined} subject */
function subjectRoute(subject) {
  const match = /^(topic|post|chat_room|dm):([A-Za-z0-9_-]{1,64})$/.exec(subject ?? '');
  if (!match) return null;
  const kinds = { topic: 'topic', post: 'post', chat_room: 'room', dm: 'dm' };
  return `#/${kinds[/** @type {keyof kinds} */ (match[1])]}/${match[2]}`;
}

/** @param {any} notification */
function notificationItem(notification) {
  const target = subjectRoute(notification.subject);
  const title = target ? h('a', { href: target }, notification.title) : h('strong', {}, notification.title);
  return h('li', { class: notification.read_at ? 'notification' : 'notification unread' },
    title, notification.body ? h('p', {}, notification.body) : null,
    h('p', { class: 'muted' }, notification.kind, ' · ', timeElement(notification.created_at)));
}

/** @param {HTMLElement} content */
async function notificationsView(content) {
  const list = h('ul', { class: 'notifications', 'aria-label': 'Notifications' });
  const markAll = h('button', { type: 'button' }, 'Mark all as read');
  markAll.addEventListener('click', async () => {
    if (await attempt(() => rest.markNotificationsRead('all'))) {
      setUnread(0);
      list.querySelectorAll('.unread').forEach((item) => item.classList.remove('unread'));
    }
  });
  content.append(h('section', { class: 'card' }, h('h2', {}, 'Notifications'), markAll, list));
  const page = await rest.notifications({ limit: 50 });
  list.append(...page.notifications.map(notificationItem));
  if (!page.notifications.length) list.append(h('li', { class: 'muted' }, 'Nothing yet.'));
  markAll.focus();
  return { onNotification: (/** @type {any} */ n) => list.prepend(notificationItem(n)) };
}

/** @param {any} event */
function onUserEvent(event) {
  if (event.type === 'notification') {
    setUnread(unread + 1);
    /** @type {any} */ (view)?.onNotification?.(event);
    if (event.kind === 'direct_message') loadConversations();
    if (event.kind === 'invite') loadRooms();
  } else if (event.type === 'call_ringing') {
    ringing(event);
  }
}

// ---------------------------------------------------------------- calls (signalling only)

function banner(/** @type {...any} */ ...children) {
  const element = $('call-banner');
  element.replaceChildren(...children);
  element.hidden = children.length === 0;
}

/** @param {{callee_id?: string, room_id?: string}} target */
async function startCall(target) {
  const live = /** @type {TopicsFlowClient} */ (client);
  const ack = await attempt(() => live.callStart({ ...target, media: 'audio' }));
  if (!ack) return;
  call = { id: ack.result.call_id, role: 'caller' };
  await attempt(() => live.subscribe(channels.call(call.id)));
  showCall('Calling…');
}

/** @param {any} event */
function ringing(event) {
  const live = /** @type {TopicsFlowClient} */ (client);
  call = { id: event.call_id, role: 'callee' };
  const accept = h('button', { type: 'button' }, 'Accept');
  const decline = h('button', { type: 'button' }, 'Decline');
  accept.addEventListener('click', async () => {
    await attempt(() => live.subscribe(channels.call(event.call_id)));
    if (await attempt(() => live.callAccept(event.call_id))) showCall('Connecting…');
  });
  decline.addEventListener('click', async () => {
    await attempt(() => live.callDecline(event.call_id));
    call = null;
    banner();
  });
  banner(h('p', {}, `Incoming ${event.media} call from `, userName(event.caller_id)), accept, decline);
  accept.focus();
}

/** @param {string} state */
function showCall(state) {
  if (!call) return;
  const live = /** @type {TopicsFlowClient} */ (client);
  const hangup = h('button', { type: 'button' }, 'Hang up');
  const id = call.id;
  hangup.addEventListener('click', async () => {
    await attempt(() => live.callHangup(id));
  });
  banner(h('p', { class: 'call-state' }, `Call: ${state}`), hangup);
}

/** @param {any} event */
function onCallEvent(event) {
  const live = /** @type {TopicsFlowClient} */ (client);
  if (event.type === 'call_state') {
    if (event.state === 'ended') {
      live.unsubscribe(channels.call(event.call_id)).catch(() => {});
      call = null;
      banner(h('p', { class: 'call-state' }, `Call ended${event.ended_reason ? ` (${event.ended_reason})` : ''}`));
      window.setTimeout(() => { if (!call) banner(); }, 5000);
      return;
    }
    const others = (event.participant_ids ?? []).filter((/** @type {string} */ p) => p !== me.id);
    showCall(event.state === 'active' ? `active with ${others.length} other participant(s)` : event.state);
    // Signalling only: the caller offers to every participant who joined; media is out of scope here.
    if (event.state === 'active' && call?.role === 'caller') {
      for (const other of others) {
        if (call.offered?.has(other)) continue;
        call.offered = call.offered ?? new Set();
        call.offered.add(other);
        live.callSignal(event.call_id, other, 'offer', JSON.stringify({ type: 'offer', sdp: 'v=0 (signalling demo)' })).catch(() => {});
      }
    }
  } else if (event.type === 'call_signal') {
    if (event.kind === 'offer') {
      live.callSignal(event.call_id, event.from_user_id, 'answer', JSON.stringify({ type: 'answer', sdp: 'v=0 (signalling demo)' })).catch(() => {});
    }
    showCall(`active · ${event.kind} received`);
  }
}

// ---------------------------------------------------------------- security (TOTP)

/** @param {HTMLElement} content */
async function securityView(content) {
  const account = await rest.me();
  const section = h('section', { class: 'card' }, h('h2', {}, 'Security'));
  content.append(section);
  if (account.two_factor_enabled) {
    section.append(h('p', {}, 'Two-factor authentication is on.'));
    return {};
  }
  const password = h('input', { type: 'password', name: 'password', required: true, autocomplete: 'current-password' });
  const setup = h('form', { class: 'stack' }, h('p', {}, 'Two-factor authentication is off. Turn it on with an authenticator app.'),
    ...labelled('Your password', password), h('button', { type: 'submit' }, 'Set up two-factor authentication'));
  section.append(setup);
  setup.addEventListener('submit', async (event) => {
    event.preventDefault();
    const started = await attempt(() => rest.twoFactorSetup(/** @type {HTMLInputElement} */ (password).value));
    if (!started) return;
    const code = h('input', { name: 'code', required: true, inputmode: 'numeric', autocomplete: 'one-time-code' });
    const confirm = h('form', { class: 'stack' },
      h('p', {}, 'Add this secret to your authenticator app, then enter the code it shows.'),
      h('p', {}, 'Secret: ', h('code', { id: 'totp-secret' }, started.secret)),
      h('p', { class: 'muted' }, 'Provisioning URI: ', h('code', {}, started.provisioning_uri)),
      ...labelled('Code', code), h('button', { type: 'submit' }, 'Turn on'));
    setup.replaceWith(confirm);
    confirm.addEventListener('submit', async (submitted) => {
      submitted.preventDefault();
      const enabled = await attempt(() => rest.twoFactorEnable(/** @type {HTMLInputElement} */ (code).value.trim()));
      if (!enabled) return;
      confirm.replaceWith(h('div', {}, h('p', { class: 'done' }, 'Two-factor authentication is on. Keep these backup codes somewhere safe:'),
        h('ul', { class: 'backup-codes' }, ...enabled.backup_codes.map((/** @type {string} */ c) => h('li', {}, h('code', {}, c))))));
    });
  });
  return {};
}

// ---------------------------------------------------------------- start

async function main() {
  wireAuth();
  wireAccount();
  wireSidebar();
  window.addEventListener('hashchange', () => { route(); });
  try {
    await begin();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) showError(error);
    showAuth();
  }
}

main();
