// The advisor's main screen: conversation list | conversation | customer context.
// `#/inbox/<id>` opens one. Live events refresh the list (debounced) and the open
// conversation; nothing polls. Shortcuts: j/k next/previous, r reply, n take next, ? help.
import "./strings.js";
import {debounce, dialog, empty, fill, h, latest, pill, select, toast, toastError} from "../../ui.js";
import {t} from "../../i18n.js";
import {apiPage} from "../../api.js";
import {advisorName, advisors, channelPill, emotionPill, loadDirectory, slaBadge, teams, waitingFor}
  from "./common.js";
import {conversationPane} from "./conversation.js";
import {contextColumn} from "./context.js";
import {demoBox} from "./demo.js";

const tagsOf = (text) => [...new Set(text.split(/[,\s]+/).map((x) => x.trim().toLowerCase())
  .filter(Boolean))].slice(0, 10);
const STATUS = {active: ["new", "open", "pending"], all: [], resolved: ["resolved"], closed: ["closed"]};

export function mount(element, ctx) {
  const {api, live, user, navigate, params} = ctx;
  const state = {rows: [], current: null, pane: null, side: null, next: null};
  const fresh = latest();
  const assignee = select({name: "assignee", "aria-label": t("inbox.assignee")},
    [["", t("inbox.all")], [user.id, t("inbox.mine")]], user.role === "advisor" ? user.id : "");
  const team = select({name: "team", "aria-label": t("inbox.team")}, [["", t("inbox.any_team")]]);
  const status = select({name: "status", "aria-label": t("inbox.status")},
    [["active", t("inbox.active")], ["all", t("inbox.any")], ["resolved", "resolved"], ["closed", "closed"]]);
  const channel = select({name: "channel", "aria-label": t("inbox.channel")}, [["", t("inbox.any")],
    ...["email", "chat", "whatsapp", "messenger", "instagram", "x", "api"].map((c) => [c, c])]);
  const sla = select({name: "sla", "aria-label": t("inbox.sla")}, [["", t("inbox.any")],
    ["at_risk", t("inbox.sla.at_risk")], ["breached", t("inbox.sla.breached")]]);
  const tag = h("input", {name: "tag", type: "search", maxlength: 200, placeholder: "vip, refund",
    "aria-label": t("inbox.tag")});
  const sort = select({name: "sort", "aria-label": t("inbox.sort")}, [["-priority", t("inbox.sort.priority")],
    ["-last_message_at", t("inbox.sort.latest")], ["first_response_due_at", t("inbox.sort.due")],
    ["resolution_due_at", t("inbox.sort.resolution")], ["-created_at", t("inbox.sort.newest")],
    ["id", t("inbox.sort.oldest")]]);
  const filters = h("form", {class: "filters", onchange: () => loadList(),
    onsubmit: (e) => { e.preventDefault(); loadList(); }},
  h("label", {}, t("inbox.assignee"), assignee), h("label", {}, t("inbox.team"), team),
  h("label", {}, t("inbox.status"), status), h("label", {}, t("inbox.channel"), channel),
  h("label", {}, t("inbox.sla"), sla), h("label", {}, t("inbox.tag"), tag),
  h("label", {class: "wide"}, t("inbox.sort"), sort));
  const list = h("ul", {id: "conversations", class: "plain", "aria-label": t("inbox.title")});
  const more = h("button", {type: "button", hidden: true, onclick: () => loadList(true)}, t("ui.more"));
  const middle = h("div", {id: "middle"}, h("p", {class: "card muted", id: "placeholder"}, t("inbox.pick")));
  const right = h("div", {id: "right"});
  const takeNext = h("button", {type: "button", id: "take-next", class: "primary",
    onclick: () => take()}, t("inbox.take_next"));
  fill(element, h("div", {id: "left"}, h("section", {},
    h("div", {class: "line"}, h("h2", {}, t("inbox.title")), h("span", {class: "grow"}), takeNext),
    filters, list, more), ctx.config.demo ? demoBox(ctx) : null), middle, right);

  function query(cursor) {
    const q = new URLSearchParams({limit: "30", sort: sort.value});
    for (const s of STATUS[status.value]) q.append("ticket_status", s);
    if (assignee.value) q.set("assignee_id", assignee.value);
    if (team.value) q.set("team_id", team.value);
    if (channel.value) q.set("channel", channel.value);
    if (sla.value) q.set("sla", sla.value);
    for (const name of tagsOf(tag.value)) q.append("tag", name);
    if (cursor) q.set("cursor", cursor);
    return q;
  }

  async function loadList(older = false) {
    const isLatest = fresh();
    try {
      const page = await apiPage(`/v1/conversations?${query(older ? state.next : null)}`);
      if (!isLatest()) return;
      state.next = page.next;
      state.rows = older ? [...state.rows, ...page.items] : page.items;
      paintList();
    } catch (error) { if (isLatest()) fill(list, h("li", {class: "error"}, error.detail || error.message)); }
  }

  // The assignee and team choices come from the directory (the people and teams one may see).
  function fillChoices() {
    const keep = [assignee.value, team.value];
    fill(assignee, [["", t("inbox.all")], [user.id, t("inbox.mine")],
      ...advisors().filter((a) => a.id !== user.id).map((a) => [a.id, a.name])]
      .map(([value, label]) => h("option", {value: String(value)}, label)));
    fill(team, [["", t("inbox.any_team")], ...teams().map((x) => [x.id, x.name])]
      .map(([value, label]) => h("option", {value: String(value)}, label)));
    [assignee.value, team.value] = keep;
    for (const box of [assignee, team]) if (box.selectedIndex < 0) box.selectedIndex = 0;
  }

  function paintList() {
    fill(list, state.rows.length ? state.rows.map(rowView) : empty(t("inbox.none"), "li"));
    more.hidden = !state.next;
  }

  function rowView(c) {
    const waiting = c.status === "waiting" ? waitingFor(c.waiting_since) : null;
    return h("li", {}, h("button", {type: "button", class: "conv-row", "data-conversation": c.id,
      "aria-current": String(c.id === state.current), onclick: () => navigate(`inbox/${c.id}`)},
    h("span", {class: "top-line"}, h("span", {class: "who"}, c.customer_name || t("inbox.customer", {id: c.customer_id})),
      h("span", {class: "muted"}, `#${c.id}`)),
    h("span", {class: "preview"}, c.preview || ""),
    h("span", {class: "line"}, pill(c.ticket_status, c.ticket_status), channelPill(c.channel),
      c.language ? pill(c.language, "lang") : null, emotionPill(c, true),
      waiting ? pill(waiting, "waiting") : null,
      slaBadge(t("sla.first"), c.first_response_sla, c.first_response_due_at),
      slaBadge(t("sla.resolution"), c.resolution_sla, c.resolution_due_at)),
    c.tags?.length ? h("span", {class: "chips"}, c.tags.map((x) => h("span", {class: "chip"}, x))) : null,
    h("span", {class: "muted"}, advisorName(c.assignee_id) || t("inbox.unassigned"))));
  }

  async function open(id) {
    if (!id) return;
    state.pane?.close();
    state.current = id;
    for (const b of list.querySelectorAll(".conv-row")) {
      b.setAttribute("aria-current", String(Number(b.dataset.conversation) === id));
    }
    try {
      await loadDirectory(api);
      const c = await api("GET", `/v1/conversations/${id}`);
      if (state.current !== id) return;
      state.pane = conversationPane(ctx, c, onChanged);
      state.side = contextColumn(ctx, c, (other) => navigate(`inbox/${other}`));
      fill(middle, state.pane.element);
      fill(right, state.side.element);
    } catch (error) { fill(middle, h("p", {class: "card error"}, error.detail || error.message)); }
  }

  function onChanged(c) {
    state.side?.setConversation(c);
    state.side?.refresh();
    loadList();
  }

  async function take() {
    try {
      const c = await api("POST", `/v1/advisors/${user.id}/next`);
      if (!c) { toast(t("inbox.nothing_next")); return; }
      toast(t("inbox.taken", {id: c.id}));
      navigate(`inbox/${c.id}`);
      loadList();
    } catch (error) { toastError(error); }
  }

  function step(by) {
    const ids = state.rows.map((r) => r.id);
    const at = ids.indexOf(state.current);
    const next = ids[at < 0 ? 0 : Math.min(ids.length - 1, Math.max(0, at + by))];
    if (next) navigate(`inbox/${next}`);
  }

  function onKey(event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.form) {
      event.preventDefault();
      event.target.form.requestSubmit();
      return;
    }
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName) || event.ctrlKey || event.metaKey
      || event.altKey || document.querySelector("dialog[open]")) return;
    const actions = {j: () => step(1), k: () => step(-1), n: take, "?": help,
      r: () => state.pane?.focusReply()};
    if (actions[event.key]) { event.preventDefault(); actions[event.key](); }
  }

  function help() {
    const keys = [["j", "keys.next"], ["k", "keys.prev"], ["r", "keys.reply"], ["n", "keys.take"],
      ["?", "keys.help"], ["Ctrl+Enter", "conv.send"]];
    dialog(t("keys.title"), h("dl", {}, keys.map(([k, label]) => [h("dt", {}, h("kbd", {}, k)),
      h("dd", {}, t(label))])));
  }

  // Live: the list on anything that touches a conversation; the open one on its own events.
  const reloadList = debounce(() => loadList(), 300);
  const reloadOpen = debounce(async () => {
    if (!state.current || !state.pane) return;
    state.pane.refreshMessages();
    try { state.pane.apply(await api("GET", `/v1/conversations/${state.current}`)); } catch { /* gone */ }
  }, 300);
  const stops = [live.on("*", (frame) => {
    if (frame.type === "queue.changed" || frame.conversation_id != null) reloadList();
    if (frame.conversation_id === state.current && frame.type !== "presence") reloadOpen();
  }), live.on("live.state", ({connected}) => { if (connected) reloadList(); })];
  document.addEventListener("keydown", onKey);
  ctx.onParams(([id]) => open(Number(id)));
  loadDirectory(api).then(() => { fillChoices(); loadList(); }).catch(toastError);
  if (params[0]) open(Number(params[0]));
  return () => {
    stops.forEach((s) => s());
    reloadList.cancel(); reloadOpen.cancel();
    document.removeEventListener("keydown", onKey);
    state.pane?.close();
  };
}
