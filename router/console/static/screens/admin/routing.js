// Admin: the routing tunables: ageing, reply windows per channel,
// care thresholds for intense customers, offer exclusion, the day's time zone.
import {formatDate, register, t} from "../../i18n.js";
import {fill, h, toast} from "../../ui.js";
import {CHANNELS, clearProblems, field, floatOrNull, frame, input, intOrNull, number, parseList,
  showList, showProblems} from "./common.js";

const FIELDS = [
  ["ageing_points_per_minute", "float", {min: 0, max: 100, step: 0.1}],
  ["intense_emotions", "list"], ["intense_threshold", "float", {min: 0, max: 1, step: 0.05}],
  ["intense_boost_points", "int", {min: 0, max: 1000}], ["cooldown_seconds", "int", {min: 0}],
  ["max_intense", "int", {min: 1, max: 20}], ["anger_messages", "int", {min: 2, max: 20}],
  ["anger_threshold", "float", {min: 0, max: 1, step: 0.05}],
  ["first_message_alert_threshold", "float", {min: 0, max: 1, step: 0.05}],
  ["intense_wait_alert_seconds", "int", {min: 10}], ["exclusion_seconds", "int", {min: 0}],
  ["offline_grace_seconds", "int", {min: 0}], ["day_timezone", "text"],
];

register({
  en: {
    "routing.title": "Routing settings", "routing.updated": "Last changed {at}",
    "routing.ageing_points_per_minute": "Priority gained per minute waited",
    "routing.intense_emotions": "Intense emotions", "routing.intense_threshold": "Intense from intensity",
    "routing.intense_boost_points": "Priority added to an intense conversation",
    "routing.cooldown_seconds": "Cool-down after an intense conversation (s)",
    "routing.max_intense": "Intense conversations at once per advisor",
    "routing.anger_messages": "Messages over which anger must rise",
    "routing.anger_threshold": "Anger alert from intensity",
    "routing.first_message_alert_threshold": "Alert on a first message this intense",
    "routing.intense_wait_alert_seconds": "Alert when an intense conversation waits (s)",
    "routing.exclusion_seconds": "A declined offer keeps the advisor away (s)",
    "routing.offline_grace_seconds": "Work returns after an advisor goes offline (s)",
    "routing.day_timezone": "Time zone of 'today'", "routing.windows": "Reply windows per channel",
    "routing.seconds": "Window (s)", "routing.ramp": "Urgency ramp (s)", "routing.points": "Points at close",
    "routing.steps": "Steps", "routing.noWindow": "An empty row: no reply window on that channel.", "routing.care": "Waiting order and care",
  },
  fr: {
    "routing.title": "Réglages du routage", "routing.updated": "Modifié le {at}",
    "routing.ageing_points_per_minute": "Priorité gagnée par minute d’attente",
    "routing.intense_emotions": "Émotions intenses", "routing.intense_threshold": "Intense à partir de l’intensité",
    "routing.intense_boost_points": "Priorité ajoutée à une conversation intense",
    "routing.cooldown_seconds": "Répit après une conversation intense (s)",
    "routing.max_intense": "Conversations intenses simultanées par conseiller",
    "routing.anger_messages": "Messages sur lesquels la colère doit monter",
    "routing.anger_threshold": "Alerte de colère à partir de l’intensité",
    "routing.first_message_alert_threshold": "Alerte sur un premier message aussi intense",
    "routing.intense_wait_alert_seconds": "Alerte quand une conversation intense attend (s)",
    "routing.exclusion_seconds": "Une offre refusée écarte le conseiller (s)",
    "routing.offline_grace_seconds": "Le travail revient après un passage hors ligne (s)",
    "routing.day_timezone": "Fuseau horaire du « jour »", "routing.windows": "Fenêtres de réponse par canal",
    "routing.seconds": "Fenêtre (s)", "routing.ramp": "Montée de l’urgence (s)",
    "routing.points": "Points à la fermeture", "routing.steps": "Paliers", "routing.noWindow": "Une ligne vide : pas de fenêtre de réponse sur ce canal.",
    "routing.care": "Ordre d’attente et ménagement",
  },
});

export function mount(element, ctx) {
  const {body} = frame(element, t("routing.title"));
  const form = h("form", {class: "admin-form", novalidate: true, id: "routing-form"});

  function render(config) {
    const els = {};
    for (const [name, kind, attrs] of FIELDS) {
      const value = config[name];
      els[name] = kind === "list" ? input({value: showList(value)})
        : kind === "text" ? input({value}) : number({...attrs, value});
    }
    const windows = Object.fromEntries(CHANNELS.map((c) => {
      const w = config.reply_windows[c] || {};
      return [c, {seconds: number({min: 1, value: w.seconds ?? "", "aria-label": `${c} seconds`}),
        ramp_seconds: number({min: 1, value: w.ramp_seconds ?? ""}),
        points: number({min: 0, max: 100, value: w.points ?? ""}),
        steps: number({min: 1, max: 100, value: w.steps ?? ""})}];
    }));
    const windowRows = CHANNELS.map((c) => h("tr", {dataset: {field: `reply_windows.${c}`}},
      h("th", {scope: "row"}, c), ["seconds", "ramp_seconds", "points", "steps"].map((k) =>
        h("td", {}, windows[c][k])), h("td", {}, h("small", {class: "field-error"}))));
    fill(form,
      h("p", {class: "muted"}, t("routing.updated", {at: formatDate(config.updated_at)})),
      h("fieldset", {}, h("legend", {}, t("routing.care")), h("div", {class: "grid three"},
        FIELDS.map(([name]) => field(t(`routing.${name}`), els[name], name)))),
      h("fieldset", {dataset: {field: "reply_windows"}}, h("legend", {}, t("routing.windows")),
        h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, ""), [t("routing.seconds"),
          t("routing.ramp"), t("routing.points"), t("routing.steps")].map((x) => h("th", {}, x)), h("th", {}, ""))),
        h("tbody", {}, windowRows)), h("small", {class: "muted"}, t("routing.noWindow")),
        h("small", {class: "field-error"})),
      h("div", {class: "bar"}, h("button", {type: "submit", class: "primary"}, t("admin.save"))));
    form.onsubmit = async (event) => {
      event.preventDefault();
      clearProblems(form);
      const payload = {reply_windows: {}};
      for (const [name, kind] of FIELDS) {
        payload[name] = kind === "list" ? parseList(els[name].value) : kind === "text"
          ? els[name].value.trim() : kind === "int" ? intOrNull(els[name]) : floatOrNull(els[name]);
      }
      for (const c of CHANNELS) {
        const w = windows[c];
        if (w.seconds.value === "") continue;
        payload.reply_windows[c] = {seconds: intOrNull(w.seconds), ramp_seconds: intOrNull(w.ramp_seconds),
          points: intOrNull(w.points), steps: intOrNull(w.steps) ?? 6};
      }
      try {
        render(await ctx.api("PUT", "/v1/routing/config", payload));
        toast(t("admin.saved"));
      } catch (error) { showProblems(form, error); }
    };
  }

  ctx.api("GET", "/v1/routing/config").then((config) => { render(config); fill(body, form); })
    .catch((error) => fill(body, h("p", {class: "error"}, error.detail || String(error))));
}
