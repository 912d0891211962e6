// The right column: the customer's context card, internal notes and timeline.
import {busy, empty, fill, h, into, pill, select, toastError} from "../../ui.js";
import {formatDate, formatDay, t} from "../../i18n.js";
import {advisorName} from "./common.js";

const KINDS = ["message", "delivery", "note", "assignment", "transfer", "status", "channel",
  "ticket", "sla", "csat", "alert"];

/** Build the column for `conversation`; `open(id)` opens another conversation. */
export function contextColumn({api}, conversation, open) {
  const card = h("div", {id: "card"});
  const notes = h("ul", {id: "notes", class: "plain"});
  const timeline = h("ul", {id: "timeline", class: "plain"});
  const more = h("button", {type: "button", hidden: true}, t("timeline.older"));
  const kind = select({"aria-label": t("timeline.show")},
    [["", t("timeline.everything")], ...KINDS.map((k) => [k, k])]);
  const noteText = h("textarea", {id: "note", maxlength: 10000, required: true,
    placeholder: t("notes.placeholder"), "aria-label": t("notes.title")});
  const noteForm = h("form", {id: "note-form"}, noteText,
    h("button", {class: "primary"}, t("notes.add")));
  let before = null;
  const id = conversation.id;
  const link = (other) => (other == null ? null : other === id
    ? h("span", {}, `#${other} ${t("card.this")}`)
    : h("button", {type: "button", class: "link", onclick: () => open(other)}, `#${other}`));

  async function loadCard() {
    const c = await api("GET", `/v1/conversations/${id}/context`);
    const who = c.customer, r = c.reading || {};
    const list = (title, items) => (items.length ? [h("h3", {}, title),
      h("ul", {class: "compact"}, items)] : null);
    fill(card, h("div", {class: "line"}, h("b", {}, who.name || t("inbox.customer", {id: who.id})),
      pill(who.tier, "tier")),
    h("div", {class: "muted"}, [who.email, who.phone].filter(Boolean).join(" · ")),
    c.summary ? [h("h3", {}, t("card.said")), h("p", {class: "summary"}, c.summary)] : null,
    list(t("card.facts"), c.facts.map((f) => h("li", {title: f.raw},
      h("span", {class: "muted"}, `${f.kind.replace(/_/g, " ")}: `),
      f.kind === "date" ? formatDay(f.value) : f.value))),
    [r.intent, r.emotion, r.language].some(Boolean) ? [h("h3", {}, t("card.reads")),
      h("div", {}, [r.intent, r.emotion, r.language].filter(Boolean).join(" · "))] : null,
    c.last_advisor ? [h("h3", {}, t("card.last")), h("div", {}, c.last_advisor.name, " ",
      h("span", {class: "muted"}, formatDate(c.last_advisor.at)), " ",
      link(c.last_advisor.conversation_id))] : null,
    list(t("card.reaches"), c.identities.map((i) => h("li", {}, pill(i.channel, "chan"), " ",
      i.address, i.display_name ? ` (${i.display_name})` : ""))),
    // The conversation's own status comes from the conversation (current), not the card.
    list(t("card.recent"), c.conversations.map((v) => h("li", {}, link(v.id), " ",
      pill(v.id === id ? conversation.ticket_status : v.ticket_status, v.ticket_status),
      ` ${v.channel} · ${v.intent || "?"}`, v.csat_score != null ? ` · CSAT ${v.csat_score}/5` : "",
      " ", h("span", {class: "muted"}, formatDate(v.created_at))))));
  }

  async function loadNotes() {
    const rows = await api("GET", `/v1/conversations/${id}/notes?limit=500`);
    fill(notes, rows.length ? rows.map((n) => h("li", {class: "item"},
      h("div", {class: "line muted"}, h("b", {}, n.author_name || advisorName(n.author_id)),
        formatDate(n.created_at)), h("div", {class: "text"}, n.text)))
      : empty(t("notes.none"), "li"));
  }

  async function loadTimeline(older = false) {
    const q = new URLSearchParams({limit: "50"});
    if (kind.value) q.set("kind", kind.value);
    if (older && before) q.set("before", before);
    const page = await api("GET", `/v1/customers/${conversation.customer_id}/timeline?${q}`);
    before = page.next_before;
    if (!older) fill(timeline, page.items.length ? null : empty(t("timeline.nothing"), "li"));
    timeline.append(...page.items.map((item) => {
      const m = item.message, n = item.note;
      const text = m ? `${m.direction === "inbound" ? "←" : "→"} ${m.excerpt}${m.truncated ? "…" : ""}`
        : n ? n.excerpt : "";
      return h("li", {class: "item"}, h("div", {class: "line muted"},
        h("time", {datetime: item.at}, formatDate(item.at)), pill(item.kind, "kind"), item.type,
        m ? pill(m.channel, "chan") : null, link(item.conversation_id)),
      text ? h("div", {class: "text"}, text) : null);
    }));
    more.hidden = !page.next_before;
  }

  noteForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!noteText.value.trim()) return;
    busy(noteForm, async () => {
      try {
        await api("POST", `/v1/conversations/${id}/notes`, {text: noteText.value});
        noteText.value = "";
        await into(notes, loadNotes);
      } catch (error) { toastError(error); }
    });
  });
  kind.addEventListener("change", () => into(timeline, () => loadTimeline()));
  more.addEventListener("click", () => into(timeline, () => loadTimeline(true)));

  const refresh = () => {
    into(card, loadCard);
    into(notes, loadNotes);
    into(timeline, () => loadTimeline());
  };
  refresh();
  const element = h("aside", {id: "side"},
    h("section", {}, h("h2", {}, t("card.customer")), card),
    h("section", {}, h("h2", {}, t("notes.title")), notes, noteForm),
    h("section", {}, h("h2", {}, t("timeline.title")), h("label", {class: "muted"},
      `${t("timeline.show")} `, kind), timeline, more));
  return {element, refresh, setConversation: (c) => { conversation = c; }};
}
