// The dry-run panel: a message as a customer would send it, read by the classifier, then
// routed on paper: the rule that matches, its requirements, and who would get it now and
// why (the classifier, then the routing dry-run: nothing is stored or assigned).
import {formatDuration, formatNumber, formatPercent, register, t} from "../../i18n.js";
import {fill, h, select, table} from "../../ui.js";
import {CHANNELS, clearProblems, field, input, showProblems, textarea} from "./common.js";

register({
  en: {
    "dry.title": "Dry run", "dry.text": "Message", "dry.channel": "Channel", "dry.language": "Language",
    "dry.auto": "detect", "dry.tier": "Customer tier", "dry.run": "Route it on paper",
    "dry.read": "Read as: {intent}, {emotion} ({intensity}), language {language}",
    "dry.rule": "Matching rule", "dry.requirements": "Requirements", "dry.priority": "Priority",
    "dry.winner": "Would go to", "dry.waits": "Nobody now: it would wait in the queue",
    "dry.why": "Why", "dry.ranked": "Eligible advisors, best first", "dry.excluded": "Not eligible",
    "dry.advisor": "Advisor", "dry.fit": "Skill fit", "dry.load": "Load", "dry.idle": "Idle",
    "dry.reason": "Reason", "dry.skills": "skills", "dry.anyLanguage": "any language",
    "dry.team": "team", "dry.anyTeam": "any team", "dry.hint": "Nothing is stored or assigned.",
  },
  fr: {
    "dry.title": "Essai à blanc", "dry.text": "Message", "dry.channel": "Canal", "dry.language": "Langue",
    "dry.auto": "détecter", "dry.tier": "Niveau du client", "dry.run": "Router sur le papier",
    "dry.read": "Lu comme : {intent}, {emotion} ({intensity}), langue {language}",
    "dry.rule": "Règle retenue", "dry.requirements": "Exigences", "dry.priority": "Priorité",
    "dry.winner": "Irait à", "dry.waits": "Personne pour l’instant : elle attendrait dans la file",
    "dry.why": "Pourquoi", "dry.ranked": "Conseillers éligibles, du meilleur au moins bon",
    "dry.excluded": "Non éligibles", "dry.advisor": "Conseiller", "dry.fit": "Adéquation",
    "dry.load": "Charge", "dry.idle": "Inactif", "dry.reason": "Raison", "dry.skills": "compétences",
    "dry.anyLanguage": "toute langue", "dry.team": "équipe", "dry.anyTeam": "toute équipe",
    "dry.hint": "Rien n’est enregistré ni attribué.",
  },
});

function requirementsText(req, teamName) {
  const skills = Object.entries(req.skills || {}).map(([n, l]) => `${n} ≥ ${l}`).join(", ") || "–";
  return [`${t("dry.skills")}: ${skills}`, req.language || t("dry.anyLanguage"), req.channel,
    req.team_id ? `${t("dry.team")}: ${teamName(req.team_id)}` : t("dry.anyTeam")].join(" · ");
}

/** The panel; `onRule(ruleId)` is told which rule matched (the list highlights it). */
export function dryRunPanel(api, {advisors, teams}, onRule) {
  const text = textarea({rows: 4, required: true, id: "dry-text"});
  const channel = select({id: "dry-channel"}, CHANNELS.map((c) => [c, c]), "chat");
  const language = select({id: "dry-language"}, [["", t("dry.auto")], ["fr", "fr"], ["en", "en"]], "");
  const tier = input({id: "dry-tier", placeholder: "standard"});
  const out = h("div", {class: "dry-result", id: "dry-result", "aria-live": "polite"});
  const form = h("form", {class: "admin-form", novalidate: true, id: "dry-form"},
    field(t("dry.text"), text, "text"),
    h("div", {class: "grid three"}, field(t("dry.channel"), channel, "channel"),
      field(t("dry.language"), language, "language"), field(t("dry.tier"), tier, "tier")),
    h("button", {type: "submit", class: "primary"}, t("dry.run")),
    h("small", {class: "muted"}, ` ${t("dry.hint")}`));
  const nameOf = (id) => advisors.find((a) => a.id === id)?.name || `#${id}`;
  const teamName = (id) => teams.find((x) => x.id === id)?.name || `#${id}`;

  function show(read, result) {
    const d = result.decision;
    const ranked = (d.ranked || []).map((r) => h("tr", {}, h("td", {}, nameOf(r.advisor_id)),
      h("td", {}, String(r.fit)), h("td", {}, formatPercent(r.load)),
      h("td", {}, r.idle_seconds == null ? "–" : formatDuration(r.idle_seconds))));
    const excluded = (d.excluded || []).map((x) => h("tr", {}, h("td", {}, nameOf(x.advisor_id)),
      h("td", {}, x.reason)));
    fill(out,
      h("p", {class: "muted"}, t("dry.read", {intent: read.intent, emotion: read.emotion,
        intensity: formatNumber(read.emotion_intensity, {maximumFractionDigits: 2}),
        language: result.language || "?"})),
      h("dl", {class: "facts"},
        h("dt", {}, t("dry.rule")), h("dd", {id: "dry-rule"}, h("strong", {}, result.rule.name)),
        h("dt", {}, t("dry.requirements")), h("dd", {}, requirementsText(result.requirements, teamName)),
        h("dt", {}, t("dry.priority")), h("dd", {}, String(result.priority)),
        h("dt", {}, t("dry.winner")), h("dd", {id: "dry-winner"}, result.winner_id
          ? h("strong", {}, nameOf(result.winner_id)) : t("dry.waits")),
        h("dt", {}, t("dry.why")), h("dd", {}, d.explanation || "")),
      ranked.length ? h("h3", {}, t("dry.ranked")) : null,
      ranked.length ? table([t("dry.advisor"), t("dry.fit"), t("dry.load"), t("dry.idle")], ranked) : null,
      excluded.length ? h("h3", {}, t("dry.excluded")) : null,
      excluded.length ? table([t("dry.advisor"), t("dry.reason")], excluded) : null);
    onRule(result.rule.id);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblems(form);
    try {
      const read = await api("POST", "/v1/classify", {text: text.value});
      const body = {text: text.value, channel: channel.value, intent: read.intent,
        emotion: read.emotion, emotion_intensity: read.emotion_intensity};
      const lang = language.value || read.language;
      if (lang) body.language = lang;
      if (tier.value.trim()) body.tier = tier.value.trim();
      show(read, await api("POST", "/v1/routing/dry-run", body));
    } catch (error) { showProblems(form, error); }
  });
  return h("aside", {class: "dry-run panel"}, h("h2", {}, t("dry.title")), form, out);
}
