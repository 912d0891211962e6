// Pending offers, shown above every screen: accept or decline before the countdown ends.
// Loaded once, then refreshed only when the live channel says an offer came or went.
import {h, fill, toastError, toast, debounce} from "../ui.js";
import {register, t, formatDuration} from "../i18n.js";
import {notify} from "../alerting.js";

register({
  en: {"offers.title": "Offered to you", "offers.accept": "Accept", "offers.decline": "Decline",
    "offers.expires": "expires in {time}", "offers.accepted": "Conversation #{id} is yours.",
    "offers.declined": "Offer declined.", "offers.notify": "A conversation is offered to you",
    "offers.row": "#{id} on {channel}"},
  fr: {"offers.title": "Proposé pour vous", "offers.accept": "Accepter", "offers.decline": "Refuser",
    "offers.expires": "expire dans {time}", "offers.accepted": "La conversation n° {id} est à vous.",
    "offers.declined": "Proposition refusée.", "offers.notify": "Une conversation vous est proposée",
    "offers.row": "n° {id} sur {channel}"},
});

const OFFER_EVENTS = ["conversation.offered", "conversation.assigned", "conversation.offer_expired",
  "conversation.offer_declined", "conversation.waiting"];

/** Mount into `slot`; returns the unmount function. */
export function mountOffers(slot, {api, live, user, navigate}) {
  let offers = [];
  const ticker = setInterval(paint, 1000);  // the countdown only: no request

  async function load() {
    try {
      offers = await api("GET", `/v1/advisors/${user.id}/offers`);
      paint();
    } catch (error) { toastError(error); }
  }
  const reload = debounce(load, 150);

  function paint() {
    if (!offers.length) { fill(slot); slot.hidden = true; return; }
    slot.hidden = false;
    fill(slot, h("section", {class: "offers", "aria-label": t("offers.title")},
      h("b", {}, t("offers.title")), offers.map(offerView)));
  }

  function offerView(offer) {
    const left = offer.expires_at ? (new Date(offer.expires_at) - Date.now()) / 1000 : null;
    return h("div", {class: "offer", "data-offer": offer.id},
      h("span", {}, t("offers.row", {id: offer.conversation_id, channel: offer.channel})),
      left == null ? null : h("span", {class: `countdown ${left < 10 ? "hot" : ""}`},
        t("offers.expires", {time: formatDuration(Math.max(0, left))})),
      h("button", {type: "button", class: "primary", onclick: () => answer(offer, "accept")},
        t("offers.accept")),
      h("button", {type: "button", onclick: () => answer(offer, "decline")}, t("offers.decline")));
  }

  async function answer(offer, verb) {
    try {
      if (verb === "accept") await api("POST", `/v1/offers/${offer.id}/accept`);
      else await api("POST", `/v1/offers/${offer.id}/decline`);
      offers = offers.filter((o) => o.id !== offer.id);
      paint();
      if (verb === "accept") {
        toast(t("offers.accepted", {id: offer.conversation_id}));
        navigate(`inbox/${offer.conversation_id}`);
      } else toast(t("offers.declined"));
    } catch (error) { toastError(error); load(); }
  }

  const stops = OFFER_EVENTS.map((type) => live.on(type, (frame) => {
    if (frame.advisor_id !== user.id && type !== "conversation.waiting") return;
    if (type === "conversation.offered") notify(t("offers.notify"), `#${frame.conversation_id}`);
    reload();
  }));
  stops.push(live.on("live.state", ({connected}) => { if (connected) reload(); }));
  load();
  return () => { clearInterval(ticker); stops.forEach((stop) => stop()); reload.cancel(); };
}
