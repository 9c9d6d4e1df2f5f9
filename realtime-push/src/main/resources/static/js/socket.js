// The WebSocket half of the client contract: one socket, reconnected with exponential backoff and jitter.
//
// States: 'connecting' (first attempt), 'syncing' (open, sync sent, waiting for `synced`), 'online',
// 'reconnecting' (closed, next attempt scheduled), 'offline' (the browser says there is no network; we wait for it),
// 'stopped' (logged out).
//
// A browser does not always close a socket when the network goes away (Chromium keeps it "open" while nothing
// arrives), so the socket is dropped on the window's `offline` event, and a ping that gets no answer within
// PONG_TIMEOUT ends it too.

const PING_EVERY = 20_000;
const PONG_TIMEOUT = 10_000;
const BACKOFF_BASE = 500;
const BACKOFF_MAX = 15_000;
const RESTART_SPREAD = 3_000; // 1012 "service restart": every client of the node reconnects within this, spread out
const ADDRESS_TIMEOUT = 5_000; // fetching the socket's address (a ticket) that takes longer is abandoned and retried

export class ChatSocket {
  /**
   * `url()`: a promise of the socket address (with a fresh one-time ticket); `onOpen()`: the socket opened (send
   * `sync` now); `onFrame(frame)`: a server frame; `onState(state, detail)`; `onFailedOpen()`: the socket closed
   * before it ever opened (the handshake was refused, perhaps because the token expired); `onSessionEnded()`: the
   * server closed the socket because the session ended (4003): no reconnect.
   */
  constructor({ url, onOpen, onFrame, onState, onFailedOpen, onSessionEnded }) {
    Object.assign(this, { url, onOpen, onFrame, onState, onFailedOpen, onSessionEnded });
    this.ws = null;
    this.attemptId = 0; // a connect() waiting for its address is abandoned when another starts or the socket drops
    this.state = 'stopped';
    this.attempt = 0;
    this.retryTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.pings = 0;
    this.everOnline = false;
    this.handleOffline = () => {
      this.drop();
      clearTimeout(this.retryTimer);
      this.setState('offline');
    };
    this.handleOnline = () => {
      clearTimeout(this.retryTimer);
      this.attempt = 0;
      if (!this.ws && this.state !== 'stopped') this.connect();
    };
  }

  start() {
    if (this.state !== 'stopped') return;
    window.addEventListener('offline', this.handleOffline);
    window.addEventListener('online', this.handleOnline);
    this.state = 'idle';
    this.connect();
  }

  stop() {
    window.removeEventListener('offline', this.handleOffline);
    window.removeEventListener('online', this.handleOnline);
    clearTimeout(this.retryTimer);
    this.drop();
    this.setState('stopped');
  }

  /** True when frames can be written (open socket, whether or not the sync has finished). */
  get open() {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  get online() {
    return this.state === 'online';
  }

  send(frame) {
    if (!this.open) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** The app received `synced`: the socket is live, and the backoff starts over. */
  synced() {
    this.attempt = 0;
    this.everOnline = true;
    this.setState('online');
  }

  /** Closes the current socket and reconnects at once (e.g. when the server asked for a new sync). */
  restart() {
    this.drop();
    this.scheduleReconnect(0);
  }

  async connect() {
    if (this.state === 'stopped') return;
    if (!navigator.onLine) {
      this.setState('offline');
      return;
    }
    this.setState(this.everOnline ? 'reconnecting' : 'connecting', { now: true });
    const attempt = ++this.attemptId;
    let address;
    try {
      address = await withTimeout(this.url(), ADDRESS_TIMEOUT);
    } catch (e) {
      if (attempt === this.attemptId && this.state !== 'stopped') this.scheduleReconnect();
      return;
    }
    if (attempt !== this.attemptId || this.state === 'stopped' || this.ws) return;
    let opened = false;
    let ws;
    try {
      ws = new WebSocket(address);
    } catch (e) {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      opened = true;
      this.setState('syncing');
      this.startHeartbeat();
      this.onOpen();
    };
    ws.onmessage = (event) => {
      this.heard();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame && typeof frame.type === 'string') this.onFrame(frame);
    };
    ws.onerror = () => {
      // a close event follows; nothing to do here
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.stopHeartbeat();
      if (event.code === 4003) {
        // the session ended (logged out elsewhere, password changed): the token is no good any more
        if (this.onSessionEnded) this.onSessionEnded();
        return;
      }
      if (!opened && this.onFailedOpen) this.onFailedOpen();
      if (event.code === 1012 && opened) {
        // the node is restarting and answered everything we sent before: reconnect (the load balancer picks another
        // node) after a random delay, so its clients do not all arrive at once, then sync and resend the outbox. A
        // socket refused with 1012 as it opened (a draining node) backs off as usual below.
        this.attempt = 0;
        this.scheduleReconnect(Math.round(100 + Math.random() * RESTART_SPREAD));
        return;
      }
      // 4008: the server found us too slow; reconnect straight away and sync.
      this.scheduleReconnect(event.code === 4008 ? 0 : undefined);
    };
  }

  /** Forgets the current socket at once, without waiting for a close handshake that may never come. */
  drop() {
    const ws = this.ws;
    this.ws = null;
    this.attemptId++;
    this.stopHeartbeat();
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      ws.close(4000, 'client closing');
    } catch {
      // already closed
    }
  }

  scheduleReconnect(delay) {
    if (this.state === 'stopped') return;
    clearTimeout(this.retryTimer);
    if (!navigator.onLine) {
      this.setState('offline');
      return;
    }
    if (delay === undefined) {
      const ceiling = Math.min(BACKOFF_MAX, BACKOFF_BASE * 2 ** this.attempt);
      delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
      this.attempt++;
    }
    this.setState('reconnecting', { retryAt: Date.now() + delay });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  startHeartbeat() {
    this.stopHeartbeat();
    this.pingTimer = setInterval(() => {
      if (!this.open) return;
      this.send({ type: 'ping', id: `ping-${++this.pings}` });
      clearTimeout(this.pongTimer);
      this.pongTimer = setTimeout(() => {
        // nothing came back: the connection is dead even if the browser has not noticed
        this.drop();
        this.scheduleReconnect();
      }, PONG_TIMEOUT);
    }, PING_EVERY);
  }

  heard() {
    clearTimeout(this.pongTimer);
    this.pongTimer = null;
  }

  stopHeartbeat() {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.pingTimer = this.pongTimer = null;
  }

  setState(state, detail = {}) {
    this.state = state;
    if (this.onState) this.onState(state, detail);
  }
}

/** `promise`, or a rejection after `ms` milliseconds: a request that never answers must not stall the reconnects. */
function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
