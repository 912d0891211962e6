// Search of messages and internal notes, for every role: the box in the header ("/" focuses
// it) and the results above the screen, a page at a time ("More results"). A hit opens its
// conversation. The server marks matches in <mark> around HTML-escaped text; its snippet is
// never parsed as HTML: split on the marks, the entities unescaped, and inserted as text.
import {apiPage} from "../api.js";
import {formatDate, register, t} from "../i18n.js";
import {empty, fill, h, latest, pill, toastError} from "../ui.js";

register({
  en: {
    "search.label": "Search messages and notes", "search.placeholder": "Search messages and notes ( / )",
    "search.go": "Search", "search.title": "Search results for “{q}”", "search.close": "Close",
    "search.none": "No match.", "search.more": "More results", "search.busy": "Searching…",
    "search.kind.message": "message", "search.kind.note": "note",
    "search.no_conversation": "no conversation", "search.inbound": "from the customer",
    "search.outbound": "to the customer",
  },
  fr: {
    "search.label": "Rechercher dans les messages et les notes",
    "search.placeholder": "Rechercher messages et notes ( / )", "search.go": "Rechercher",
    "search.title": "Résultats pour « {q} »", "search.close": "Fermer", "search.none": "Aucun résultat.",
    "search.more": "Plus de résultats", "search.busy": "Recherche…",
    "search.kind.message": "message", "search.kind.note": "note",
    "search.no_conversation": "sans conversation", "search.inbound": "du client",
    "search.outbound": "au client",
  },
});

const ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#x27;": "'", "&#39;": "'"};
const unescapeText = (text) => text.replace(/&(?:amp|lt|gt|quot|#x27|#39);/g, (e) => ENTITIES[e]);

/** The snippet's text as nodes: matches in <mark>, everything else plain text. */
export function snippetNodes(snippet) {
  let marked = false;
  const out = [];
  for (const part of String(snippet || "").split(/(<\/?mark>)/)) {
    if (part === "<mark>") marked = true;
    else if (part === "</mark>") marked = false;
    else if (part) out.push(marked ? h("mark", {}, unescapeText(part)) : unescapeText(part));
  }
  return out;
}

/** Mount the search box (returned, for the header) and its results into `slot`;
 * `open(id)` shows a conversation. Returns {form, stop}. */
export function mountSearch(slot, open) {
  const state = {q: "", next: null};
  const fresh = latest();
  const input = h("input", {id: "search-q", type: "search", maxlength: 200, required: true,
    placeholder: t("search.placeholder"), "aria-label": t("search.label")});
  const form = h("form", {id: "search", role: "search", class: "search"}, input,
    h("button", {type: "submit"}, t("search.go")));
  const title = h("h2", {id: "search-title"});
  const list = h("ul", {id: "search-hits", class: "plain"});
  const more = h("button", {type: "button", id: "search-more", hidden: true,
    onclick: () => run(true)}, t("search.more"));
  const panel = h("section", {id: "search-results", class: "search-results", hidden: true,
    "aria-labelledby": "search-title"},
  h("div", {class: "line"}, title, h("span", {class: "grow"}),
    h("button", {type: "button", id: "search-close", class: "link", onclick: close}, t("search.close"))),
  list, more);
  fill(slot, panel);

  function hitView(hit) {
    const where = hit.conversation_id == null ? t("search.no_conversation") : `#${hit.conversation_id}`;
    return h("li", {}, h("button", {type: "button", class: "conv-row hit", disabled: hit.conversation_id == null,
      "data-conversation": hit.conversation_id, onclick: () => open(hit.conversation_id)},
    h("span", {class: "line muted"}, pill(t(`search.kind.${hit.kind}`), "kind"), h("b", {}, where),
      hit.channel ? pill(hit.channel, "chan") : null,
      hit.direction ? h("span", {}, t(`search.${hit.direction}`)) : null,
      h("time", {datetime: hit.at}, formatDate(hit.at))),
    h("span", {class: "snippet"}, snippetNodes(hit.snippet))));
  }

  async function run(older = false) {
    if (!older) state.q = input.value.trim();
    if (!state.q) return;
    const isLatest = fresh();
    const params = new URLSearchParams({q: state.q, kind: "all", limit: "20"});
    if (older && state.next) params.set("cursor", state.next);
    panel.hidden = false;
    title.textContent = t("search.title", {q: state.q});
    if (!older) { fill(list, h("li", {class: "muted"}, t("search.busy"))); more.hidden = true; }
    try {
      const page = await apiPage(`/v1/search?${params}`);
      if (!isLatest()) return;
      state.next = page.next;
      if (!older) fill(list, page.items.length ? null : empty(t("search.none"), "li"));
      list.append(...page.items.map(hitView));
      more.hidden = !state.next;
    } catch (error) {
      if (!isLatest()) return;
      if (older) toastError(error);
      else fill(list, h("li", {class: "error"}, error.detail || error.message));
    }
  }

  function close() {
    fresh();  // an answer still on its way is dropped
    panel.hidden = true;
    fill(list);
    state.next = null;
  }

  function onKey(event) {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName) || event.target.isContentEditable;
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey
      && !document.querySelector("dialog[open]")) {
      event.preventDefault();
      input.focus();
      input.select();
    }
    if (event.key === "Escape" && event.target === input) close();
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
  document.addEventListener("keydown", onKey);
  return {form, stop: () => document.removeEventListener("keydown", onKey)};
}
