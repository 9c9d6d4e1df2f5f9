// The HTTP half of the client contract (PROTOCOL.md). Every call but registering and logging in carries the token.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

// A GET left without an answer this long is asked once more (on a fresh connection if the browser has one to spare):
// Reactor Netty 1.2 can leave a request on a reused connection unanswered (see KeepAliveAfterErrorTest), and a
// conversation list waiting for ever would never refresh again. Writes are not repeated here: they carry their own ids.
const GET_TIMEOUT = 8_000;

export class Api {
  /** `token()` answers the current token or null; `onUnauthorized()` runs when the server rejects it. */
  constructor(token, onUnauthorized) {
    this.token = token;
    this.onUnauthorized = onUnauthorized;
  }

  /** `as` is the token to send instead of the current one (to end a session the client already forgot). */
  async request(method, path, body, as, retried = false) {
    const headers = { Accept: 'application/json' };
    const token = as || this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    const abort = method === 'GET' ? new AbortController() : null;
    const timer = abort ? setTimeout(() => abort.abort(), GET_TIMEOUT) : null;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'omit',
        signal: abort ? abort.signal : undefined,
      });
    } catch (e) {
      if (abort && abort.signal.aborted && !retried) return this.request(method, path, body, as, true);
      throw new ApiError(0, 'NETWORK', 'Cannot reach the server. Check your connection.');
    } finally {
      clearTimeout(timer);
    }
    if (response.status === 204) return null;
    let data = null;
    const text = await response.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!response.ok) {
      if (response.status === 401 && token && !as && this.onUnauthorized) this.onUnauthorized();
      throw new ApiError(response.status, data && data.code, data && data.message);
    }
    return data;
  }

  register(username, password, displayName) {
    return this.request('POST', '/api/users', { username, password, displayName });
  }

  login(username, password) {
    return this.request('POST', '/api/sessions', { username, password });
  }

  /** Ends the session of `token` on the server: the token stops working and its sockets close. */
  logout(userId, token) {
    return this.request('DELETE', `/api/users/${encodeURIComponent(userId)}/sessions/current`, undefined, token);
  }

  /** A one-time ticket for opening the socket: {ticket, expiresAt}. The session token never goes into a URL. */
  socketTicket() {
    return this.request('POST', '/api/sessions/socket-ticket');
  }

  user(userId) {
    return this.request('GET', `/api/users/${encodeURIComponent(userId)}`);
  }

  searchUsers(query, limit = 8, offset = 0) {
    const params = new URLSearchParams({ query, limit: String(limit), offset: String(offset) });
    return this.request('GET', `/api/users?${params}`);
  }

  conversations() {
    return this.request('GET', '/api/conversations');
  }

  openDirect(userId) {
    return this.request('POST', '/api/conversations/direct', { userId });
  }

  createGroup(name, members) {
    return this.request('POST', '/api/conversations/groups', { name, members });
  }

  addMember(conversationId, userId) {
    return this.request('POST', `/api/conversations/${encodeURIComponent(conversationId)}/members`, { userId });
  }

  removeMember(conversationId, userId) {
    return this.request('DELETE',
      `/api/conversations/${encodeURIComponent(conversationId)}/members/${encodeURIComponent(userId)}`);
  }

  /** A page of history, ascending by seq: the newest `limit` below `before`, or the newest of all. */
  messages(conversationId, { before, after, limit = 50 } = {}) {
    const params = new URLSearchParams({ limit: String(limit) });
    if (before !== undefined && before !== null) params.set('before', String(before));
    if (after !== undefined && after !== null) params.set('after', String(after));
    return this.request('GET', `/api/conversations/${encodeURIComponent(conversationId)}/messages?${params}`);
  }

  /** Every member's delivered and read cursor: [{userId, deliveredSeq, readSeq}]. */
  receipts(conversationId) {
    return this.request('GET', `/api/conversations/${encodeURIComponent(conversationId)}/receipts`);
  }

  /** Messages of the caller's chats holding the words of `q`, newest first: {results, nextCursor}. */
  searchMessages(q, { cursor, limit = 20, conversationId } = {}) {
    const params = new URLSearchParams({ q, limit: String(limit) });
    if (cursor) params.set('cursor', cursor);
    if (conversationId) params.set('conversationId', conversationId);
    return this.request('GET', `/api/search?${params}`);
  }

  markRead(conversationId, upToSeq) {
    return this.request('POST', `/api/conversations/${encodeURIComponent(conversationId)}/read`, { upToSeq });
  }
}
