// The chat API as the widget uses it: the visitor's session (kept in localStorage, so a
// reload or another tab of the same site resumes it), REST calls, and the WebSocket that
// brings the feed live and reconnects from the last `seq` seen (nothing lost, nothing twice).
const FILE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf",
  "text/plain"];
const MAX_FILE_BYTES = 5 * 1024 * 1024; // the service's default limit (413 beyond its own)
const CLOSE_REFUSED = 4401;

class ApiError extends Error {
  constructor(status, body) {
    super(body?.detail || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

class ChatClient {
  constructor(base, storageKey, handlers) {
    this.base = base;
    this.key = storageKey;
    this.handlers = handlers; // {frame(f), state(s)}
    this.session = this.load();
    this.socket = null;
    this.after = 0;
    this.retry = 0;
    this.timer = null;
  }

  load() {
    try {
      const saved = JSON.parse(localStorage.getItem(this.key) || "null");
      if (saved && Date.parse(saved.expires_at) > Date.now()) return saved;
    } catch (error) {
      // storage blocked or damaged: start afresh
    }
    return null;
  }

  save(changes) {
    this.session = { ...(this.session || {}), ...changes };
    try {
      localStorage.setItem(this.key, JSON.stringify(this.session));
    } catch (error) {
      // private mode without storage: the chat works, it just does not survive a reload
    }
  }

  forget() {
    this.disconnect();
    this.session = null;
    this.after = 0;
    try {
      localStorage.removeItem(this.key);
    } catch (error) {
      // nothing to remove
    }
  }

  async request(method, path, { body, headers, json = true } = {}) {
    const all = { ...(headers || {}) };
    if (this.session?.token) all.Authorization = `Bearer ${this.session.token}`;
    if (json && body !== undefined) all["Content-Type"] = "application/json";
    const response = await fetch(this.base + path, {
      method,
      headers: all,
      body: json && body !== undefined ? JSON.stringify(body) : body,
    });
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  // A new visitor, or the same one with a fresh token when a valid one is presented.
  async start(profile) {
    const answer = await this.request("POST", "/v1/chat/sessions");
    this.save({ token: answer.token, expires_at: answer.expires_at, ...profile });
    return answer;
  }

  messageId() {
    return `w-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  }

  // Resolves once a connecting socket is open (or failed, or after `ms`).
  opened(ms = 5000) {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.CONNECTING) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, ms);
      socket.addEventListener("open", done, { once: true });
      socket.addEventListener("close", done, { once: true });
    });
  }

  // Over the socket when it is open (shown at once, with its ack), else by REST.
  async send(message) {
    await this.opened();
    const full = {
      name: this.session?.name || undefined,
      email: this.session?.email || undefined,
      page_url: location.href.slice(0, 2000),
      ...message,
    };
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ type: "message", ...full }));
      return;
    }
    await this.request("POST", "/v1/chat/messages", { body: full });
  }

  checkFile(file) {
    if (!FILE_TYPES.includes(file.type)) return "fileType";
    if (file.size > MAX_FILE_BYTES) return "fileTooBig";
    return null;
  }

  // A file of this chat (path from a message's attachment `url`), as a Blob.
  async download(path) {
    const headers = { Authorization: `Bearer ${this.session?.token}` };
    const response = await fetch(this.base + path, { headers });
    if (!response.ok) throw new ApiError(response.status, null);
    return response.blob();
  }

  async upload(file, id) {
    const query = new URLSearchParams({ id, filename: file.name || "file" });
    if (this.session?.name) query.set("name", this.session.name);
    return this.request("POST", `/v1/chat/files?${query}`, {
      body: file,
      headers: { "Content-Type": file.type },
      json: false,
    });
  }

  async surveyState(token) {
    return this.request("GET", `/v1/csat/${encodeURIComponent(token)}`, {
      headers: { Accept: "application/json" },
    });
  }

  async answerSurvey(token, score, comment) {
    return this.request("POST", `/v1/csat/${encodeURIComponent(token)}`, {
      body: { score, comment: comment || null },
      headers: { Accept: "application/json" },
    });
  }

  connect() {
    if (!this.session?.token || this.socket) return;
    const url = new URL(this.base + "/v1/chat/ws");
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.search = new URLSearchParams({ token: this.session.token, after: this.after });
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.retry = 0;
      this.handlers.state("open");
    });
    socket.addEventListener("message", (event) => this.receive(event.data));
    socket.addEventListener("close", (event) => this.closed(socket, event.code));
  }

  receive(data) {
    const frame = JSON.parse(data);
    if (frame.type === "message" && frame.seq > this.after) this.after = frame.seq;
    this.handlers.frame(frame);
  }

  closed(socket, code) {
    if (this.socket !== socket) return; // closed on purpose
    this.socket = null;
    if (code === CLOSE_REFUSED) {
      this.forget();
      this.handlers.state("expired");
      return;
    }
    this.handlers.state("reconnecting");
    const delay = Math.min(30000, 1000 * 2 ** this.retry++);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  disconnect() {
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close();
  }
}
