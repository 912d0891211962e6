// Held inbound e-mail (bounces, auto-replies, no sender...): release into routing or dismiss.
import "./strings.js";
import {empty, fill, h, pill, toast, toastError} from "../../ui.js";
import {formatDate, t} from "../../i18n.js";

export function mount(element, {api}) {
  const list = h("ul", {id: "held", class: "plain"});
  fill(element, h("section", {}, h("h2", {}, t("held.title")), list));

  async function load() {
    try {
      const rows = await api("GET", "/v1/held-messages?limit=100");
      fill(list, rows.length ? rows.map((m) => h("li", {class: "item", "data-message": m.id},
        h("div", {class: "line muted"}, pill(m.channel, "chan"), h("b", {}, m.sender?.name || m.sender?.id),
          formatDate(m.received_at), pill(t("held.because", {why: m.held_because}), "pending")),
        m.subject ? h("div", {class: "subject"}, m.subject) : null,
        h("div", {class: "preview"}, m.text),
        h("div", {class: "bar"}, h("button", {type: "button", onclick: () => act(m.id, "route")}, t("held.release")),
          h("button", {type: "button", onclick: () => act(m.id, "dismiss")}, t("held.dismiss")))))
        : empty(t("held.none"), "li"));
    } catch (error) { fill(list, h("li", {class: "error"}, error.detail || error.message)); }
  }

  async function act(id, verb) {
    try {
      if (verb === "route") await api("POST", `/v1/held-messages/${id}/route`);
      else await api("POST", `/v1/held-messages/${id}/dismiss`);
      toast(verb === "route" ? t("held.released") : t("held.dismissed"));
      load();
    } catch (error) { toastError(error); }
  }
  load();
}
