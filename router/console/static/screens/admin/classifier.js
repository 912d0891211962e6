// Admin: classifier versions with their held-out figures; promote one, or roll back to the
// one active before; and try the active model on a text.
import {formatDate, formatPercent, register, t} from "../../i18n.js";
import {empty, fill, h, pill, table, toast} from "../../ui.js";
import {confirmed, frame, textarea} from "./common.js";

register({
  en: {
    "clf.title": "Classifier versions", "clf.rollback": "Roll back", "clf.version": "Version",
    "clf.created": "Trained", "clf.source": "Data", "clf.metrics": "Held-out figures", "clf.verdict": "Verdict",
    "clf.state": "State", "clf.active": "active since {at}", "clf.promote": "Promote",
    "clf.promoteAsk": "Make {version} the active model? Every process loads it within 30 s.",
    "clf.rollbackAsk": "Go back to the version active before the current one?",
    "clf.done": "Version {version} is now active.", "clf.try": "Try the active model",
    "clf.tryButton": "Read it", "clf.result": "{intent} ({confidence}) · {emotion} {intensity} · {language}",
  },
  fr: {
    "clf.title": "Versions du classifieur", "clf.rollback": "Revenir en arrière", "clf.version": "Version",
    "clf.created": "Entraînée", "clf.source": "Données", "clf.metrics": "Mesures sur l’échantillon de test",
    "clf.verdict": "Verdict", "clf.state": "État", "clf.active": "active depuis {at}", "clf.promote": "Activer",
    "clf.promoteAsk": "Faire de {version} le modèle actif ? Chaque processus le charge sous 30 s.",
    "clf.rollbackAsk": "Revenir à la version active avant l’actuelle ?",
    "clf.done": "La version {version} est maintenant active.", "clf.try": "Essayer le modèle actif",
    "clf.tryButton": "Lire", "clf.result": "{intent} ({confidence}) · {emotion} {intensity} · {language}",
  },
});

// The figures worth a glance (numbers at the top level of `metrics`), as percentages.
function metricsText(metrics) {
  return Object.entries(metrics || {}).filter(([, v]) => typeof v === "number")
    .map(([k, v]) => `${k} ${v <= 1 ? formatPercent(v) : v}`).join(" · ");
}

export function mount(element, ctx) {
  const rollback = h("button", {type: "button", id: "clf-rollback"}, t("clf.rollback"));
  const {body} = frame(element, t("clf.title"), rollback);
  const list = h("div", {});
  const text = textarea({rows: 2, id: "clf-text"});
  const out = h("p", {id: "clf-out"});
  const tryForm = h("form", {class: "panel admin-form"}, h("h2", {}, t("clf.try")), text,
    h("div", {class: "bar"}, h("button", {type: "submit"}, t("clf.tryButton")), out));

  async function act(question, call) {
    if (!await confirmed(question)) return;
    try {
      const model = await call();
      toast(t("clf.done", {version: model.version}));
      await load();
    } catch (error) { toast(error.detail || String(error), "error"); }
  }

  async function load() {
    const models = await ctx.api("GET", "/v1/classifier/models");
    fill(list, models.length ? table([t("clf.version"), t("clf.created"), t("clf.source"), t("clf.metrics"),
      t("clf.verdict"), t("clf.state"), ""], models.map((m) => h("tr", {class: m.active ? "active-row" : ""},
      h("td", {}, h("code", {}, m.version)), h("td", {class: "small"}, formatDate(m.created_at)),
      h("td", {class: "small"}, m.source), h("td", {class: "metrics"}, metricsText(m.metrics)),
      h("td", {class: "small"}, m.verdict || ""),
      h("td", {}, m.active ? pill(t("clf.active", {at: formatDate(m.promoted_at)}), "ok") : null),
      h("td", {}, m.active ? null : h("button", {type: "button", onclick: () => act(
        t("clf.promoteAsk", {version: m.version}),
        () => ctx.api("POST", `/v1/classifier/models/${encodeURIComponent(m.version)}/promote`))},
      t("clf.promote"))))))
      : empty(t("admin.none")));
    if (!list.isConnected) fill(body, list, tryForm);
  }

  rollback.addEventListener("click", () => act(t("clf.rollbackAsk"),
    () => ctx.api("POST", "/v1/classifier/rollback")));
  tryForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const r = await ctx.api("POST", "/v1/classify", {text: text.value});
      out.textContent = t("clf.result", {intent: r.intent, confidence: formatPercent(r.intent_confidence),
        emotion: r.emotion, intensity: formatPercent(r.emotion_intensity), language: r.language || "?"});
    } catch (error) { out.textContent = error.detail || String(error); }
  });
  load().catch((error) => fill(body, h("p", {class: "error"}, error.detail || String(error))));
}
