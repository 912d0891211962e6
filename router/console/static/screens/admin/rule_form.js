// The rule editor: conditions, required skills with levels, team, priority, policy and
// escalation steps, sent as the rules API reads them; the API's 422 is shown next
// to the field it names (the checks are the router's own, made on write).
import {register, t} from "../../i18n.js";
import {h, select} from "../../ui.js";
import {CHANNELS, EMOTIONS, INTENTS, POLICIES, checkList, checkbox, field, floatOrNull,
  formDialog, input, intOrNull, number, parseList, showList, textarea} from "./common.js";
import {hoursEditor} from "./hours.js";

register({
  en: {
    "rule.new": "New rule", "rule.edit": "Rule {name}", "rule.name": "Name",
    "rule.position": "Position", "rule.positionHint": "evaluation order, lowest first",
    "rule.enabled": "Enabled", "rule.conditions": "Conditions (all given must hold)",
    "rule.intents": "Intents", "rule.languages": "Languages", "rule.channels": "Channels",
    "rule.tiers": "Customer tiers", "rule.emotions": "Emotions", "rule.minIntensity": "Minimum intensity (0–1)",
    "rule.keywords": "Keywords or phrases", "rule.patterns": "Patterns (regular expressions, one per line)",
    "rule.hours": "Business hours condition", "rule.requirements": "Requirements",
    "rule.skills": "Required skills (minimum level)", "rule.requireLanguage": "Advisor must speak the language",
    "rule.team": "Team", "rule.anyTeam": "any team", "rule.priority": "Priority (0–100)",
    "rule.policy": "Policy", "rule.policy.best_fit": "best fit", "rule.policy.least_busy": "least busy",
    "rule.policy.longest_idle": "longest idle", "rule.policy.round_robin": "round robin",
    "rule.steps": "Escalation steps", "rule.addStep": "Add a step", "rule.removeStep": "Remove",
    "rule.afterSeconds": "After waiting (s)", "rule.stepSkills": "Skills become",
    "rule.stepSkillsHint": "skill:level, comma-separated; empty: unchanged; - : none",
    "rule.stepLanguage": "Language rule", "rule.keep": "unchanged", "rule.required": "required",
    "rule.dropped": "dropped", "rule.dropTeam": "Any team from then on", "rule.default": "default rule",
  },
  fr: {
    "rule.new": "Nouvelle règle", "rule.edit": "Règle {name}", "rule.name": "Nom",
    "rule.position": "Position", "rule.positionHint": "ordre d’évaluation, la plus basse d’abord",
    "rule.enabled": "Active", "rule.conditions": "Conditions (toutes celles données doivent tenir)",
    "rule.intents": "Intentions", "rule.languages": "Langues", "rule.channels": "Canaux",
    "rule.tiers": "Niveaux de client", "rule.emotions": "Émotions", "rule.minIntensity": "Intensité minimale (0–1)",
    "rule.keywords": "Mots-clés ou expressions", "rule.patterns": "Motifs (expressions régulières, une par ligne)",
    "rule.hours": "Condition d’horaires d’ouverture", "rule.requirements": "Exigences",
    "rule.skills": "Compétences requises (niveau minimum)", "rule.requireLanguage": "Le conseiller doit parler la langue",
    "rule.team": "Équipe", "rule.anyTeam": "toute équipe", "rule.priority": "Priorité (0–100)",
    "rule.policy": "Politique", "rule.policy.best_fit": "meilleure adéquation",
    "rule.policy.least_busy": "le moins chargé", "rule.policy.longest_idle": "inactif depuis le plus longtemps",
    "rule.policy.round_robin": "tour de rôle",
    "rule.steps": "Paliers d’escalade", "rule.addStep": "Ajouter un palier", "rule.removeStep": "Retirer",
    "rule.afterSeconds": "Après une attente de (s)", "rule.stepSkills": "Les compétences deviennent",
    "rule.stepSkillsHint": "compétence:niveau, séparés par des virgules ; vide : inchangé ; - : aucune",
    "rule.stepLanguage": "Règle de langue", "rule.keep": "inchangée", "rule.required": "exigée",
    "rule.dropped": "levée", "rule.dropTeam": "Toute équipe dès lors", "rule.default": "règle par défaut",
  },
});

// "billing:2, tech:1" ↔ {billing: 2, tech: 1}; a bad level is sent as written for the API.
const showSkills = (skills) => Object.entries(skills || {}).map(([n, l]) => `${n}:${l}`).join(", ");
function parseSkills(text) {
  const out = {};
  for (const item of parseList(text)) {
    const [name, level] = item.split(":").map((s) => s.trim());
    const n = Number(level);
    out[name] = Number.isInteger(n) ? n : level;
  }
  return out;
}

function stepEditor(step, index, onRemove) {
  const after = number({min: 1, value: step?.after_seconds ?? 300, required: true});
  const skills = input({value: step?.required_skills == null ? ""
    : showSkills(step.required_skills) || "-"});
  const lang = select({}, [["", t("rule.keep")], ["true", t("rule.required")],
    ["false", t("rule.dropped")]], step?.require_language == null ? "" : String(step.require_language));
  const drop = checkbox(step?.drop_team || false);
  const base = `escalation.${index}`;
  const el = h("fieldset", {class: "step", dataset: {field: base}},
    h("legend", {}, `#${index + 1}`),
    h("div", {class: "grid four"},
      field(t("rule.afterSeconds"), after, `${base}.after_seconds`),
      field(t("rule.stepSkills"), skills, `${base}.required_skills`, t("rule.stepSkillsHint")),
      field(t("rule.stepLanguage"), lang, `${base}.require_language`),
      h("label", {class: "check"}, drop, t("rule.dropTeam"))),
    h("button", {type: "button", class: "link", onclick: onRemove}, t("rule.removeStep")),
    h("small", {class: "field-error"}));
  const value = () => {
    const out = {after_seconds: intOrNull(after), drop_team: drop.checked};
    const text = skills.value.trim();
    if (text) out.required_skills = text === "-" ? {} : parseSkills(text);
    if (lang.value) out.require_language = lang.value === "true";
    return out;
  };
  return {el, value};
}

/** The editor's content and its value (the rule body). */
export function ruleEditor(rule, {skills, teams}) {
  const c = rule?.conditions || {};
  const isDefault = Boolean(rule?.is_default);
  const els = {
    name: input({required: true, maxlength: 100, value: rule?.name || ""}),
    position: number({min: 0, value: rule?.position ?? 100}),
    enabled: checkbox(rule ? rule.enabled : true),
    languages: input({value: showList(c.languages)}),
    tiers: input({value: showList(c.tiers)}),
    min_intensity: number({min: 0, max: 1, step: 0.05, value: c.min_intensity ?? ""}),
    keywords: input({value: showList(c.keywords)}),
    patterns: textarea({value: (c.patterns || []).join("\n")}),
    useHours: checkbox(Boolean(c.hours)),
    require_language: checkbox(rule ? rule.require_language : true),
    team_id: select({}, [["", t("rule.anyTeam")], ...teams.map((x) => [x.id, x.name])], rule?.team_id ?? ""),
    priority: number({min: 0, max: 100, value: rule?.priority ?? 0}),
    policy: select({}, POLICIES.map((p) => [p, t(`rule.policy.${p}`)]), rule?.policy || "best_fit"),
  };
  const intents = checkList(INTENTS, c.intents || []);
  const channels = checkList(CHANNELS, c.channels || []);
  const emotions = checkList(EMOTIONS, c.emotions || []);
  const hours = hoursEditor("conditions.hours", c.hours, {withWhen: true});
  hours.el.hidden = !c.hours;
  els.useHours.addEventListener("change", () => { hours.el.hidden = !els.useHours.checked; });
  const levels = Object.fromEntries(skills.map((s) => [s.name, select({"aria-label": s.name},
    [["", "–"], ...[1, 2, 3, 4, 5].map((n) => [n, String(n)])], rule?.required_skills?.[s.name] ?? "")]));
  const steps = [];
  const stepBox = h("div", {class: "steps"});
  const redraw = () => stepBox.replaceChildren(...steps.map((s, i) => {
    const fresh = stepEditor(s.value(), i, () => { steps.splice(i, 1); redraw(); });
    steps[i] = fresh;
    return fresh.el;
  }));
  const addStep = (step) => { steps.push({value: () => step}); redraw(); };
  for (const step of rule?.escalation || []) addStep(step);
  const conditions = h("fieldset", {class: "conditions", dataset: {field: "conditions"}, disabled: isDefault},
    h("legend", {}, t("rule.conditions")),
    field(t("rule.intents"), intents.el, "conditions.intents"),
    h("div", {class: "grid two"},
      field(t("rule.channels"), channels.el, "conditions.channels"),
      field(t("rule.emotions"), emotions.el, "conditions.emotions"),
      field(t("rule.languages"), els.languages, "conditions.languages", t("admin.listHint")),
      field(t("rule.tiers"), els.tiers, "conditions.tiers", t("admin.listHint")),
      field(t("rule.minIntensity"), els.min_intensity, "conditions.min_intensity"),
      field(t("rule.keywords"), els.keywords, "conditions.keywords", t("admin.listHint"))),
    field(t("rule.patterns"), els.patterns, "conditions.patterns"),
    h("label", {class: "check"}, els.useHours, t("rule.hours")), hours.el,
    h("small", {class: "field-error"}));
  const content = h("div", {class: "rule-editor"},
    h("div", {class: "grid three"},
      field(t("rule.name"), els.name, "name"),
      field(t("rule.position"), els.position, "position", t("rule.positionHint")),
      h("label", {class: "check"}, els.enabled, t("rule.enabled"))),
    isDefault ? h("p", {class: "muted"}, t("rule.default")) : conditions,
    h("fieldset", {}, h("legend", {}, t("rule.requirements")),
      h("div", {class: "field", dataset: {field: "required_skills"}},
        h("span", {class: "label"}, t("rule.skills")),
        h("div", {class: "mini-grid"}, skills.map((s) => h("label", {dataset: {skill: s.name}},
          s.name, levels[s.name]))),
        h("small", {class: "field-error"})),
      h("div", {class: "grid four"},
        field(t("rule.team"), els.team_id, "team_id"),
        field(t("rule.priority"), els.priority, "priority"),
        field(t("rule.policy"), els.policy, "policy"),
        h("label", {class: "check"}, els.require_language, t("rule.requireLanguage")))),
    h("fieldset", {dataset: {field: "escalation"}}, h("legend", {}, t("rule.steps")), stepBox,
      h("button", {type: "button", id: "rule-add-step", onclick: () => addStep({after_seconds: 300})},
        t("rule.addStep")),
      h("small", {class: "field-error"})));

  const value = () => {
    const cond = {};
    const lists = {intents: intents.value(), channels: channels.value(), emotions: emotions.value(),
      languages: parseList(els.languages.value), tiers: parseList(els.tiers.value),
      keywords: parseList(els.keywords.value),
      patterns: els.patterns.value.split("\n").map((s) => s.trim()).filter(Boolean)};
    for (const [key, list] of Object.entries(lists)) if (list.length) cond[key] = list;
    const intensity = floatOrNull(els.min_intensity);
    if (intensity !== null) cond.min_intensity = intensity;
    if (els.useHours.checked) cond.hours = hours.value();
    const required = {};
    for (const [name, el] of Object.entries(levels)) if (el.value) required[name] = Number(el.value);
    return {
      name: els.name.value.trim(), position: intOrNull(els.position) ?? 100,
      conditions: isDefault ? {} : cond, required_skills: required,
      require_language: els.require_language.checked,
      team_id: els.team_id.value ? Number(els.team_id.value) : null,
      priority: intOrNull(els.priority) ?? 0, policy: els.policy.value,
      enabled: els.enabled.checked, escalation: steps.map((s) => s.value()),
    };
  };
  return {content, value};
}

/** Open the editor; resolves to the saved rule, or null when closed. */
export function editRule(api, rule, refs) {
  const editor = ruleEditor(rule, refs);
  const title = rule ? t("rule.edit", {name: rule.name}) : t("rule.new");
  return formDialog(title, editor.content, () => (rule
    ? api("PUT", `/v1/rules/${rule.id}`, editor.value())
    : api("POST", "/v1/rules", editor.value())));
}
