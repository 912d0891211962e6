// The API client: bearer tokens (this tab only: sessionStorage), renewed once on a 401,
// errors thrown as ApiError carrying the problem+json `detail` the screens show.
const KEY = "aiguillage-tokens";
let tokens = JSON.parse(sessionStorage.getItem(KEY) || "null");
let renewing = null;
const authListeners = new Set();

export class ApiError extends Error {
  constructor(status, detail, problem = {}) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
    this.problem = problem;
  }
}

export const getTokens = () => tokens;

export function setTokens(value) {
  tokens = value;
  if (value) sessionStorage.setItem(KEY, JSON.stringify(value));
  else sessionStorage.removeItem(KEY);
  for (const listener of authListeners) listener(value);
}

/** Called with the new tokens (or null when logged out). */
export function onAuthChange(listener) {
  authListeners.add(listener);
  return () => authListeners.delete(listener);
}

// Refresh tokens rotate: concurrent 401s share one renewal instead of racing.
export function renew() {
  renewing ??= (async () => {
    const response = await fetch("/v1/auth/refresh", {method: "POST",
      headers: {"content-type": "application/json"},
      body: JSON.stringify({refresh_token: tokens?.refresh_token})});
    setTokens(response.ok ? await response.json() : null);
    return response.ok;
  })().finally(() => { renewing = null; });
  return renewing;
}

async function problemOf(response) {
  const problem = await response.json().catch(() => ({}));
  const detail = typeof problem.detail === "string" ? problem.detail
    : `${response.status} ${response.statusText}`;
  return new ApiError(response.status, detail, problem);
}

/** The raw Response of an authenticated call (headers such as X-Next-Cursor readable). */
export async function request(method, path, body, retried = false) {
  if (!tokens) throw new ApiError(401, "not logged in");
  const headers = {authorization: `Bearer ${tokens.access_token}`};
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(path, {method, headers, body: payload});
  if (response.status === 401 && !retried && await renew()) {
    return request(method, path, body, true);
  }
  if (!response.ok) throw await problemOf(response);
  return response;
}

/** `api(method, path, body)` → the parsed JSON answer (null for 204). */
export async function api(method, path, body) {
  const response = await request(method, path, body);
  return response.status === 204 ? null : response.json();
}

/** A cursor page: `{items, next}` (next: the X-Next-Cursor header, or null). */
export async function apiPage(path) {
  const response = await request("GET", path);
  return {items: await response.json(), next: response.headers.get("X-Next-Cursor")};
}

/** Log in with the staff e-mail and password; throws ApiError when refused. */
export async function login(username, password) {
  const response = await fetch("/v1/auth/token", {method: "POST",
    body: new URLSearchParams({username, password})});
  if (!response.ok) throw await problemOf(response);
  setTokens(await response.json());
}

export async function logout() {
  await api("POST", "/v1/auth/logout").catch(() => null);
  setTokens(null);
}

/** Public, unauthenticated console settings ({demo}). */
export async function consoleConfig() {
  const response = await fetch("/v1/console/config");
  return response.ok ? response.json() : {demo: false};
}

/** A random key per draft: a double click or a retried request acts once. */
export function newKey(prefix = "console") {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `${prefix}-${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}
