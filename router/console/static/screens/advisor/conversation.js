// The middle column: one conversation — facts, routing reason, status moves, priority and
// tags, messages (with attachments), suggested replies, reply box, transfer, presence.
import {busy, empty, fill, h, into, pill, toast, toastError} from "../../ui.js";
import {formatDate, formatRelative, t} from "../../i18n.js";
import {newKey, request} from "../../api.js";
import {advisorName, channelPill, emotionPill, slaBadge} from "./common.js";
import {transferDialog} from "./transfer.js";
import {SENDS_FILES, replyFiles} from "./reply_files.js";

const MOVES = {new: ["pending", "resolved", "closed"], open: ["pending", "resolved", "closed"],
  pending: ["open", "resolved", "closed"], resolved: ["open", "closed"], closed: []};
const WITH_FILES = new Set(["email", "whatsapp", "messenger", "instagram", "chat"]);

/** Build the pane; `changed(c)` is told when the conversation changed (list refresh). */
export function conversationPane(ctx, conversation, changed) {
  const {api, live, user} = ctx;
  const id = conversation.id;
  const el = {facts: h("div", {class: "line"}), why: h("p", {class: "muted"}),
    moves: h("span", {class: "bar"}), tags: h("span", {class: "line"}),
    presence: h("div", {class: "presence", id: "presence", "aria-live": "polite"}),
    messages: h("div", {id: "messages"}), suggestions: h("ul", {id: "suggestions", class: "plain"}),
    warning: h("div", {id: "reply-warning", class: "warning", role: "alert"}),
    reply: h("textarea", {id: "reply", maxlength: 20000}),
    reason: h("input", {id: "status-reason", maxlength: 500, placeholder: t("conv.reason"),
      "aria-label": t("conv.reason")}),
    priority: h("input", {id: "priority", type: "number", min: -100, max: 100, class: "priority-input"}),
    tagInput: h("input", {maxlength: 200, placeholder: t("conv.add_tags"), "aria-label": t("conv.add_tags")}),
    title: h("h2", {id: "detail-title", tabindex: -1}, t("conv.title", {id}))};
  const draft = {key: null, templateId: null};
  const attach = SENDS_FILES.has(conversation.channel)
    ? replyFiles({changed: () => { draft.key = null; }}) : null;
  let signature = "";

  function apply(c) {
    conversation = c;
    fill(el.facts, pill(c.ticket_status, c.ticket_status), channelPill(c.channel),
      c.language ? pill(c.language, "chan") : null, c.intent ? pill(c.intent, "intent") : null,
      emotionPill(c), h("span", {class: "muted"}, t("conv.assignee",
        {name: advisorName(c.assignee_id) || t("conv.nobody")})),
      slaBadge(t("sla.first"), c.first_response_sla, c.first_response_due_at),
      slaBadge(t("sla.resolution"), c.resolution_sla, c.resolution_due_at),
      c.previous_conversation_id ? h("span", {class: "muted"}, t("conv.follows"), ` #${c.previous_conversation_id}`) : null);
    el.priority.value = c.priority;
    fill(el.tags, (c.tags || []).map((tag) => h("span", {class: "chip"}, tag, h("button",
      {type: "button", class: "x", "aria-label": `− ${tag}`, onclick: () => patch({remove_tags: [tag]})}, "×"))));
    const moves = MOVES[c.ticket_status] || [];
    fill(el.moves, moves.length ? moves.map((m) => h("button", {type: "button", "data-move": m,
      onclick: () => move(m)}, t(`conv.move.${m}`))) : h("span", {class: "muted"}, t("conv.closed_final")));
    sendButton.disabled = c.ticket_status === "closed";
  }

  async function move(status) {
    const reason = el.reason.value.trim();
    try {
      const c = await api("POST", `/v1/conversations/${id}/status`, reason ? {status, reason} : {status});
      el.reason.value = "";
      apply(c);
      toast(t("conv.now", {id, status: c.ticket_status}));
      changed(c);
    } catch (error) { toastError(error); }
  }

  async function patch(body) {
    try { const c = await api("PATCH", `/v1/conversations/${id}`, body); apply(c); changed(c); return true; }
    catch (error) { toastError(error); return false; }
  }

  async function loadWhy() {
    const events = await api("GET", `/v1/conversations/${id}/events?limit=500`);
    const decision = events.filter((e) => e.type === "conversation.assigned" ||
      e.type === "conversation.waiting").pop();
    const x = decision?.data?.explanation;
    el.why.textContent = x ? t("conv.routing", {why: x.explanation || x.reason || ""}) : "";
  }

  async function loadMessages() {
    const list = await api("GET", `/v1/conversations/${id}/messages?limit=500`);
    const sig = JSON.stringify(list.map((m) => [m.id, m.status, m.attempts]));
    if (sig === signature) return;
    const box = el.messages, first = !signature;
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    signature = sig;
    fill(box, list.length ? list.map(messageView) : empty(t("conv.no_messages")));
    if (first || atBottom) box.scrollTop = box.scrollHeight;
    list.filter((m) => (m.direction === "inbound" && WITH_FILES.has(m.channel)) ||
      m.metadata?.attachments?.length).slice(-20).forEach((m) => attachmentsOf(m));
  }

  function messageView(m) {
    const out = m.direction === "outbound";
    const who = out ? advisorName(m.advisor_id) || t("conv.us") : m.sender?.name || m.sender?.id;
    return h("article", {class: `msg ${out ? "outbound" : "inbound"}`, "data-message": m.id},
      h("div", {class: "line muted"}, h("b", {}, who), channelPill(m.channel),
        h("time", {datetime: m.received_at}, formatDate(m.sent_at || m.received_at)),
        out ? pill(m.status, m.status) : null),
      m.subject ? h("div", {class: "subject"}, m.subject) : null,
      h("div", {class: "text"}, m.text),
      out && m.status === "failed" ? h("div", {class: "error"},
        t("conv.failed", {error: m.error || "", n: m.attempts})) : null,
      out && m.status === "queued" && m.next_attempt_at ? h("div", {class: "muted"},
        formatRelative(m.next_attempt_at)) : null);
  }

  async function attachmentsOf(m) {
    const files = await api("GET", `/v1/messages/${m.id}/attachments`).catch(() => []);
    if (!files.length) return;
    const links = files.map((f) => (f.downloadable ?? f.kept ? h("button", {type: "button", class: "link",
      onclick: () => download(m.id, f)}, `📎 ${f.filename || f.content_type}`)
      : h("span", {class: "muted"}, t("conv.not_kept", {name: f.filename || f.content_type}))));
    el.messages.querySelector(`[data-message="${m.id}"]`)?.append(h("div", {class: "attachments"}, links));
  }

  async function download(messageId, file) {
    try {
      const response = await request("GET", `/v1/messages/${messageId}/attachments/${file.id}`);
      const url = URL.createObjectURL(await response.blob());
      const a = h("a", {href: url, download: file.filename || `attachment-${file.id}`});
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) { toastError(error); }
  }

  const blockers = (s) => [...(s.missing || []), ...(s.withheld || [])];
  async function loadSuggestions() {
    const list = await api("GET", `/v1/conversations/${id}/suggestions?limit=5`);
    fill(el.suggestions, list.length ? list.map((s) => h("li", {}, h("button", {type: "button",
      class: "suggestion", onclick: () => use(s)}, h("span", {class: "line"}, h("b", {}, s.name),
      h("span", {class: "muted"}, [...(s.reasons || []), s.language].filter(Boolean).join(" · "))),
    h("span", {class: "preview"}, s.text), blockers(s).length ? h("span", {class: "warning"},
      t("conv.cannot_fill", {list: blockers(s).join(", ")})) : null)))
      : empty(t("conv.no_suggestion"), "li"));
  }

  function use(s) {
    el.reply.value = s.text || "";
    Object.assign(draft, {templateId: s.template_id ?? null, key: null});
    el.warning.textContent = blockers(s).length ? t("conv.fill", {list: blockers(s).join(", ")}) : "";
    el.reply.focus();
  }

  const sendButton = h("button", {id: "reply-send", class: "primary"}, t("conv.send"));
  const replyForm = h("form", {id: "reply-form"}, h("label", {for: "reply", class: "muted"},
    t("conv.reply")), el.reply, el.warning, h("div", {class: "bar"}, sendButton,
    h("span", {class: "muted"}, t("conv.ctrl_enter")),
    attach?.element));
  let typingSent = 0;
  el.reply.addEventListener("input", () => {
    draft.key = null;
    if (Date.now() - typingSent > 3000) {
      typingSent = Date.now();
      live.send({type: "typing", conversation_id: id});
    }
  });
  replyForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = el.reply.value;
    if (!text.trim() && !attach?.count()) return;
    const raw = text.match(/\{\{[^{}]{0,80}\}\}/g);
    if (raw) { el.warning.textContent = t("conv.replace", {list: raw.join(", ")}); return; }
    draft.key ??= newKey();
    const body = {idempotency_key: draft.key};
    if (text.trim()) body.text = text;
    if (draft.templateId != null) body.template_id = draft.templateId;
    busy(replyForm, async () => {
      try {
        if (attach?.count()) body.attachments = await attach.files();
        await api("POST", `/v1/conversations/${id}/replies`, body);
        el.reply.value = "";
        attach?.clear();
        Object.assign(draft, {key: null, templateId: null});
        el.warning.textContent = "";
        toast(t("conv.queued"));
        await into(el.messages, loadMessages);
      } catch (error) { el.warning.textContent = t("conv.not_sent", {detail: error.detail || error.message}); }
    });
  });

  const priorityForm = h("form", {class: "bar"}, h("label", {for: "priority"}, t("conv.priority")),
    el.priority, h("button", {}, t("conv.set")));
  priorityForm.addEventListener("submit", (e) => { e.preventDefault(); patch({priority: Number(el.priority.value)}); });
  const tagForm = h("form", {class: "bar"}, el.tagInput, h("button", {}, t("conv.add")));
  tagForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const tags = el.tagInput.value.split(/[,\s]+/).map((x) => x.trim().toLowerCase()).filter(Boolean);
    if (tags.length && await patch({add_tags: tags})) el.tagInput.value = "";
  });
  const transferButton = h("button", {type: "button", id: "transfer", onclick: async () => {
    const moved = await transferDialog(ctx, conversation);
    if (moved) { apply(moved); changed(moved); }
  }}, t("conv.transfer"));

  function showPresence(frame) {
    const others = frame.people.filter((p) => p.id !== user.id);
    const typing = others.filter((p) => p.typing).map((p) => p.name);
    const viewing = others.filter((p) => !p.typing).map((p) => p.name);
    fill(el.presence, typing.length ? h("div", {}, t("conv.typing", {names: typing.join(", ")})) : null,
      viewing.length ? h("div", {}, t("conv.viewing", {names: viewing.join(", ")})) : null);
  }
  const stops = [
    live.on("presence", (f) => { if (f.conversation_id === id) showPresence(f); }),
    live.on("live.state", ({connected}) => { if (connected) live.send({type: "viewing", conversation_id: id}); }),
  ];
  live.send({type: "viewing", conversation_id: id});

  apply(conversation);
  into(el.messages, loadMessages);
  into(el.suggestions, loadSuggestions);
  loadWhy().catch(() => null);
  const element = h("section", {id: "detail", "aria-labelledby": "detail-title"},
    h("div", {class: "line"}, el.title, h("span", {class: "grow"}), transferButton), el.facts, el.why,
    el.presence, h("form", {class: "bar", onsubmit: (e) => e.preventDefault()}, el.reason, el.moves),
    h("div", {class: "bar"}, priorityForm, el.tags, tagForm),
    h("h3", {}, t("conv.messages")), el.messages, h("h3", {}, t("conv.suggestions")), el.suggestions,
    replyForm);
  return {
    element, apply,
    refreshMessages: () => into(el.messages, loadMessages),
    focusReply: () => el.reply.focus(),
    close: () => { stops.forEach((s) => s()); live.send({type: "left"}); },
  };
}
