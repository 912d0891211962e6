// "My queue": the waiting conversations this advisor may take, best first, with claim
// (pull and blended teams) and take next. Refreshed by the live channel, never by a timer.
import "./strings.js";
import {debounce, empty, fill, h, pill, toast, toastError} from "../../ui.js";
import {formatDate, formatDuration, t} from "../../i18n.js";
import {channelPill, emotionPill} from "./common.js";

export function mount(element, {api, live, user, navigate}) {
  const list = h("ul", {id: "my-queue", class: "plain"});
  const info = h("p", {class: "muted"});
  const takeNext = h("button", {type: "button", class: "primary", id: "queue-take-next",
    onclick: take}, t("inbox.take_next"));
  fill(element, h("section", {}, h("div", {class: "line"}, h("h2", {}, t("queue.title")),
    h("span", {class: "grow"}), takeNext), info, list));

  async function load() {
    try {
      const page = await api("GET", `/v1/advisors/${user.id}/queue?limit=50`);
      info.textContent = page.pick_limit ? t("queue.pick_limit", {n: page.pick_limit}) : "";
      fill(list, page.items.length ? page.items.map(itemView) : empty(t("queue.none"), "li"));
    } catch (error) { fill(list, h("li", {class: "error"}, error.detail || error.message)); }
  }

  function itemView(item) {
    return h("li", {class: "conv-row", "data-conversation": item.conversation_id},
      h("span", {class: "top-line"}, h("span", {class: "who"}, `${item.position}. `,
        item.customer_name || t("inbox.customer", {id: item.customer_id})),
      h("span", {class: "muted"}, `#${item.conversation_id}`)),
      h("span", {class: "preview"}, item.preview),
      h("span", {class: "line"}, channelPill(item.channel), pill(item.language, "lang"),
        emotionPill(item, true), pill(t("inbox.waiting", {time: formatDuration(item.waiting_seconds)}), "waiting"),
        pill(t("queue.priority", {n: item.queue_priority}), "prio"),
        item.first_response_due_at ? h("span", {class: "muted"}, formatDate(item.first_response_due_at)) : null),
      h("span", {class: "line"}, h("span", {class: "muted grow"}, item.not_now_because
        || t("queue.why", {why: item.eligible_because})),
      item.claimable ? h("button", {type: "button", class: "primary claim",
        onclick: () => claim(item.conversation_id)}, t("queue.claim")) : null));
  }

  async function claim(id) {
    try {
      await api("POST", `/v1/conversations/${id}/claim`, {});
      toast(t("queue.claimed", {id}));
      navigate(`inbox/${id}`);
    } catch (error) { toastError(error); load(); }
  }

  async function take() {
    try {
      const c = await api("POST", `/v1/advisors/${user.id}/next`);
      if (!c) { toast(t("inbox.nothing_next")); return; }
      navigate(`inbox/${c.id}`);
    } catch (error) { toastError(error); }
  }

  const reload = debounce(load, 300);
  const stops = [live.on("*", (f) => {
    if (f.type === "queue.changed" || f.type.startsWith("conversation.")) reload();
  }), live.on("live.state", ({connected}) => { if (connected) reload(); })];
  load();
  return () => { stops.forEach((s) => s()); reload.cancel(); };
}
