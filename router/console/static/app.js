// The console's entry: login, the shell (user, status, language, nav from the screens the
// role may see, notifications) and hash routing `#/<route>/<params...>`.
import {api, ApiError, consoleConfig, getTokens, login, logout, onAuthChange, renew} from "./api.js";
import {LOCALES, locale, onLocaleChange, register, setLocale, t} from "./i18n.js";
import * as live from "./live.js";
import {enable, notify, soundOn} from "./alerting.js";
import {busy, fill, h, select, toast, toastError} from "./ui.js";
import {screensFor} from "./screens/index.js";
import {shellStrings} from "./strings.js";
import {mountOffers} from "./components/offers.js";
import {mountSearch} from "./components/search.js";

register(shellStrings);
const STATUSES = ["available", "away", "break", "offline"];
const root = document.getElementById("root");
const state = {user: null, config: {demo: false}, screen: null, unmount: null, paramHandlers: [],
  offers: null, search: null};

export function navigate(route) { location.hash = `#/${route}`; }

function parseHash() {
  const [route = "", ...params] = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  return {route, params: params.map(decodeURIComponent)};
}

// ---- Login.
function showLogin(error = "") {
  teardown();
  const form = h("form", {id: "login-form", class: "login-form"},
    h("label", {for: "username"}, t("login.email")),
    h("input", {id: "username", autocomplete: "username", required: true}),
    h("label", {for: "password"}, t("login.password")),
    h("input", {id: "password", type: "password", autocomplete: "current-password",
      required: true}),
    h("button", {class: "primary"}, t("login.submit")));
  const message = h("div", {id: "login-error", class: "error", role: "alert"}, error);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form, async () => {
      try {
        await login(form.username.value, form.password.value);
      } catch (failure) { message.textContent = failure.detail || failure.message; }
    });
  });
  fill(root, h("header", {class: "top"}, h("h1", {}, "Aiguillage"), h("span", {class: "grow"}),
    languageSwitch()),
  h("section", {id: "login", class: "card login"}, h("h2", {}, t("login.title")), form,
    h("p", {class: "muted"}, t("login.hint")), message));
  form.username.focus();
}

function languageSwitch() {
  return select({id: "lang", "aria-label": t("shell.language"),
    onchange: (e) => setLocale(e.target.value)},
  LOCALES.map((l) => [l, l === "fr" ? "Français" : "English"]), locale());
}

// ---- The shell.
async function start() {
  try {
    [state.user, state.config] = await Promise.all([api("GET", "/v1/auth/me"), consoleConfig()]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;  // onAuthChange shows login
    showLogin(error.detail || error.message);
    return;
  }
  live.start(() => getTokens()?.access_token, renew);
  renderShell();
}

function statusControl() {
  const user = state.user;
  return select({id: "my-status", class: `status-${user.status}`, "aria-label": t("shell.status"),
    onchange: async (e) => {
      try {
        state.user = await api("PATCH", `/v1/advisors/${user.id}`, {status: e.target.value});
        e.target.className = `status-${state.user.status}`;
        toast(t("shell.status_now", {status: t(`status.${state.user.status}`)}));
      } catch (error) { toastError(error); e.target.value = user.status; }
    }}, STATUSES.map((s) => [s, t(`status.${s}`)]), user.status);
}

function alertsControl() {
  const button = h("button", {type: "button", id: "notify", class: "ghost",
    "aria-pressed": String(soundOn()), title: t("shell.notify_help")},
  soundOn() ? t("shell.sound_on") : t("shell.notify"));
  button.addEventListener("click", async () => {
    await enable(!soundOn());
    button.textContent = soundOn() ? t("shell.sound_on") : t("shell.notify");
    button.setAttribute("aria-pressed", String(soundOn()));
  });
  return button;
}

function renderShell() {
  const user = state.user;
  const nav = h("nav", {id: "nav", "aria-label": t("shell.nav")},
    screensFor(user.role).map((s) => h("a", {href: `#/${s.route}`, "data-route": s.route},
      t(s.title))));
  const dot = h("span", {id: "live-dot", class: `dot ${live.isConnected() ? "on" : ""}`,
    title: t("shell.live")});
  const results = h("div", {id: "search-slot"});
  state.search?.stop();
  state.search = mountSearch(results, (id) => navigate(`inbox/${id}`));
  fill(root,
    h("header", {class: "top"}, h("h1", {}, "Aiguillage"), nav, h("span", {class: "grow"}),
      dot, h("span", {id: "who"}, user.name, h("small", {}, ` ${t(`role.${user.role}`)}`)),
      statusControl(), alertsControl(), languageSwitch(),
      h("button", {type: "button", id: "logout", class: "ghost",
        onclick: () => logout()}, t("shell.logout"))),
    h("div", {id: "offers-slot"}),
    h("div", {class: "subbar"}, h("div", {id: "flash", role: "status", "aria-live": "polite"}),
      state.search.form), results,
    h("main", {id: "screen"}));
  state.offers?.();
  state.offers = mountOffers(document.getElementById("offers-slot"), context([]));
  state.screen = null;
  route();
}

function context(params) {
  return {api, t, live, user: state.user, navigate, params, config: state.config,
    onParams: (handler) => state.paramHandlers.push(handler)};
}

async function route() {
  if (!state.user) return;
  const allowed = screensFor(state.user.role);
  const {route: name, params} = parseHash();
  const screen = allowed.find((s) => s.route === name);
  if (!screen) { navigate(allowed[0]?.route || ""); return; }
  for (const link of document.querySelectorAll("#nav a")) {
    link.toggleAttribute("aria-current", link.dataset.route === name);
  }
  if (state.screen === screen && state.paramHandlers.length) {
    for (const handler of state.paramHandlers) handler(params);
    return;
  }
  unmountScreen();
  state.screen = screen;
  document.title = `${t(screen.title)} · Aiguillage`;
  const element = document.getElementById("screen");
  fill(element, h("p", {class: "muted"}, t("ui.loading")));
  try {
    const module = await screen.load();
    if (state.screen !== screen) return;
    fill(element);
    element.className = `screen-${screen.route}`;
    state.unmount = module.mount(element, context(params)) || null;
  } catch (error) { toastError(error); }
}

function unmountScreen() {
  if (typeof state.unmount === "function") state.unmount();
  state.unmount = null;
  state.paramHandlers = [];
}

function teardown() {
  unmountScreen();
  state.offers?.();
  state.offers = null;
  state.search?.stop();
  state.search = null;
  state.screen = null;
}

// Live events the shell itself reacts to: the connection dot, offers and alerts.
live.on("live.state", ({connected}) => {
  document.getElementById("live-dot")?.classList.toggle("on", connected);
});
live.on("*", (frame) => {
  if (frame.type?.startsWith("alert.")) {
    notify(t("shell.alert_title"), frame.data?.reason || frame.type,
      () => navigate(`inbox/${frame.conversation_id}`));
  }
  if (frame.type === "advisor.status_changed" && frame.advisor_id === state.user?.id) {
    state.user.status = frame.data?.current || state.user.status;
    const control = document.getElementById("my-status");
    if (control && control !== document.activeElement) control.value = state.user.status;
  }
});

onAuthChange((tokens) => {
  if (tokens && !state.user) start();
  if (!tokens) { live.stop(); state.user = null; showLogin(); }
});
onLocaleChange(() => (state.user ? renderShell() : showLogin()));
window.addEventListener("hashchange", route);

if (getTokens()) start(); else showLogin();
