// The live channel: one WebSocket per tab (the live route), authenticated by its first frame,
// reconnecting with backoff. Screens subscribe to event types: `on("conversation.assigned",
// fn)`; "*" receives every frame; "live.state" tells {connected: bool}. The server sends
// only what this user may see.
const handlers = new Map();
let socket = null;
let tokenOf = null;
let renew = null;
let attempt = 0;
let timer = null;
let wanted = false;
let connected = false;

/** Subscribe to frames of `type`; returns the unsubscribe function. */
export function on(type, handler) {
  if (!handlers.has(type)) handlers.set(type, new Set());
  handlers.get(type).add(handler);
  return () => handlers.get(type)?.delete(handler);
}

function emit(frame) {
  for (const key of [frame.type, "*"]) {
    for (const handler of handlers.get(key) || []) {
      try { handler(frame); } catch (error) { reportError(error); }
    }
  }
}

export const isConnected = () => connected;

/** Send a frame (presence: {type: "viewing"|"typing"|"left", conversation_id}). */
export function send(frame) {
  if (connected) socket.send(JSON.stringify(frame));
}

/** Open the channel: `token()` gives the current access token, `refresh()` renews it. */
export function start(token, refresh) {
  tokenOf = token;
  renew = refresh;
  wanted = true;
  if (!socket) connect();
}

export function stop() {
  wanted = false;
  clearTimeout(timer);
  if (socket) socket.close(1000);
  socket = null;
}

function setConnected(value) {
  if (connected === value) return;
  connected = value;
  emit({type: "live.state", connected: value});
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/v1/live`);
  socket = ws;
  ws.addEventListener("open", () => ws.send(JSON.stringify({type: "auth", token: tokenOf()})));
  ws.addEventListener("message", (event) => {
    let frame;
    try { frame = JSON.parse(event.data); } catch { return; }
    if (frame.type === "ready") { attempt = 0; setConnected(true); }
    emit(frame);
  });
  ws.addEventListener("close", async (event) => {
    if (socket === ws) socket = null;
    setConnected(false);
    if (!wanted) return;
    // 4401: the token expired or was refused: renew it first (a failed renewal logs out).
    if (event.code === 4401 && !(await renew().catch(() => false))) return;
    const delay = Math.min(30000, 500 * 2 ** attempt) * (0.75 + Math.random() / 2);
    attempt += 1;
    clearTimeout(timer);
    timer = setTimeout(() => { if (wanted && !socket) connect(); }, delay);
  });
}
