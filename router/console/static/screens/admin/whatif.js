// Admin: what-if. A day (recorded, or a scenario as JSON) simulated under the rules in
// force and, optionally, under an edited copy of them (the rules export, as JSON), on the
// same customers: service level, speed of answer and abandonment with their 95 % intervals
// and the difference. The job runs on the server (the simulations API); this polls it.
import {formatNumber, register, t} from "../../i18n.js";
import {fill, h, select, table} from "../../ui.js";
import {checkbox, clearProblems, field, frame, input, number, showProblems, textarea} from "./common.js";

register({
  en: {
    "whatif.title": "What-if", "whatif.day": "Day", "whatif.recorded": "A recorded day",
    "whatif.scenario": "A scenario (JSON)", "whatif.date": "Date", "whatif.team": "Team",
    "whatif.everyone": "everyone", "whatif.scenarioHint": "a scenario file's content as JSON; without \"rules\": the rules in force",
    "whatif.sample": "Sample day", "whatif.compare": "Compare with an edited copy of the rules",
    "whatif.rules": "Edited rules (JSON, as exported)", "whatif.replications": "Replications",
    "whatif.seed": "Seed", "whatif.run": "Run", "whatif.running": "Simulating… {percent}",
    "whatif.failed": "The simulation failed: {error}", "whatif.done": "Done: {replications} replications, service level target {target}.",
    "whatif.figure": "Figure", "whatif.current": "Current rules", "whatif.edited": "Edited rules",
    "whatif.difference": "Difference", "whatif.value": "Simulated", "whatif.sl": "Service level",
    "whatif.asa": "Average speed of answer (s)", "whatif.abandon": "Abandonment",
    "whatif.pwait": "Share that waited", "whatif.occupancy": "Occupancy", "whatif.offered": "Offered",
    "whatif.badRules": "not valid JSON: {error}", "whatif.note": "mean, 95 % interval in brackets",
  },
  fr: {
    "whatif.title": "Et si… ?", "whatif.day": "Journée", "whatif.recorded": "Une journée enregistrée",
    "whatif.scenario": "Un scénario (JSON)", "whatif.date": "Date", "whatif.team": "Équipe",
    "whatif.everyone": "tout le monde", "whatif.scenarioHint": "le contenu d’un fichier de scénario en JSON ; sans \"rules\" : les règles en vigueur",
    "whatif.sample": "Journée d’exemple", "whatif.compare": "Comparer avec une copie modifiée des règles",
    "whatif.rules": "Règles modifiées (JSON, comme exportées)", "whatif.replications": "Réplications",
    "whatif.seed": "Graine", "whatif.run": "Lancer", "whatif.running": "Simulation… {percent}",
    "whatif.failed": "La simulation a échoué : {error}", "whatif.done": "Terminé : {replications} réplications, objectif de niveau de service {target}.",
    "whatif.figure": "Indicateur", "whatif.current": "Règles actuelles", "whatif.edited": "Règles modifiées",
    "whatif.difference": "Différence", "whatif.value": "Simulé", "whatif.sl": "Niveau de service",
    "whatif.asa": "Délai moyen de prise en charge (s)", "whatif.abandon": "Abandon",
    "whatif.pwait": "Part ayant attendu", "whatif.occupancy": "Occupation", "whatif.offered": "Proposées",
    "whatif.badRules": "JSON invalide : {error}", "whatif.note": "moyenne, intervalle à 95 % entre crochets",
  },
});

// A small day any database can run: one team of four (two also technical), two busy hours
// of chats; the texts are what keyword rules read.
const SAMPLE = {
  name: "sample day", interval_minutes: 30, service_level: "80/60",
  arrivals: {per_interval: [30, 45, 50, 35], mix: [
    {weight: 2, channel: "chat", language: "fr", intent: "billing", text: "ma facture est fausse"},
    {channel: "chat", language: "en", intent: "technical", text: "login not working"}]},
  handling: {exponential: 300}, patience: {exponential: 240},
  teams: [{id: 1, name: "Front office"}],
  advisors: [
    {name: "Billing", team: 1, languages: ["fr", "en"], skills: {billing: 3}, capacity: 2, count: 2},
    {name: "Expert", team: 1, languages: ["fr", "en"], skills: {billing: 3, technical: 3}, capacity: 2, count: 2}],
};
// [key, label, kind]: kind says how a value reads (share, seconds or count).
const FIGURES = [["service_level", "whatif.sl", "share"], ["asa_seconds", "whatif.asa", "seconds"],
  ["abandon_rate", "whatif.abandon", "share"], ["p_wait", "whatif.pwait", "share"],
  ["occupancy", "whatif.occupancy", "share"], ["offered", "whatif.offered", "count"]];

function show(value, kind, signed) {
  if (value == null) return "–";
  const options = {signDisplay: signed ? "exceptZero" : "auto"};
  if (kind === "share") return formatNumber(value, {...options, style: "percent", maximumFractionDigits: 1});
  return formatNumber(value, {...options, maximumFractionDigits: kind === "seconds" ? 1 : 0});
}

function cell(estimate, kind, signed = false) {
  if (!estimate) return h("td", {}, "–");
  const [low, high] = estimate.ci95 || [null, null];
  return h("td", {class: "num"}, h("strong", {}, show(estimate.mean, kind, signed)),
    estimate.ci95 ? h("small", {class: "muted"}, ` [${show(low, kind, signed)} ; ${show(high, kind, signed)}]`) : null);
}

function resultTable(result) {
  const parts = result.base ? [result.base, result.other, result.difference] : [result];
  const head = result.base ? [t("whatif.figure"), t("whatif.current"), t("whatif.edited"), t("whatif.difference")]
    : [t("whatif.figure"), t("whatif.value")];
  const rows = FIGURES.map(([key, label, kind]) => h("tr", {dataset: {figure: key}}, h("th", {}, t(label)),
    parts.map((part, i) => cell(part.all?.day?.[key], kind, i === 2))));
  return h("div", {}, table(head, rows, {id: "whatif-table"}), h("small", {class: "muted"}, t("whatif.note")));
}

function yesterday() {
  const d = new Date(Date.now() - 86400000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

function parsed(text, name) {
  try { return JSON.parse(text); } catch (error) {
    throw {detail: t("whatif.badRules", {error: error.message}), problem: {field: name}};
  }
}

export function mount(element, ctx) {
  const {body} = frame(element, t("whatif.title"));
  const els = {
    recorded: h("input", {type: "radio", name: "source", value: "history", checked: true, id: "whatif-recorded"}),
    scripted: h("input", {type: "radio", name: "source", value: "scenario", id: "whatif-scripted"}),
    day: input({type: "date", value: yesterday(), id: "whatif-day"}),
    team: select({id: "whatif-team"}, [["", t("whatif.everyone")]], ""),
    scenario: textarea({rows: 10, id: "whatif-scenario", spellcheck: false}),
    compare: checkbox(true, {id: "whatif-compare"}),
    rules: textarea({rows: 12, id: "whatif-rules", spellcheck: false}),
    replications: number({min: 2, max: 100, value: 10, id: "whatif-replications"}),
    seed: number({min: 0, value: 1, id: "whatif-seed"}),
  };
  const sample = h("button", {type: "button", id: "whatif-sample"}, t("whatif.sample"));
  const recordedBox = h("div", {class: "grid two"}, field(t("whatif.date"), els.day, "history.day"),
    field(t("whatif.team"), els.team, "history.team_id"));
  const scenarioBox = h("div", {}, field(t("whatif.scenario"), els.scenario, "scenario", t("whatif.scenarioHint")), sample);
  const rulesBox = field(t("whatif.rules"), els.rules, "compare_rules");
  const progress = h("progress", {id: "whatif-progress", max: 1, value: 0, hidden: true});
  const status = h("p", {id: "whatif-status", "aria-live": "polite"});
  const out = h("div", {id: "whatif-result"});
  const form = h("form", {class: "admin-form", novalidate: true, id: "whatif-form"},
    h("fieldset", {}, h("legend", {}, t("whatif.day")),
      h("label", {class: "check"}, els.recorded, t("whatif.recorded")), recordedBox,
      h("label", {class: "check"}, els.scripted, t("whatif.scenario")), scenarioBox),
    h("fieldset", {}, h("label", {class: "check"}, els.compare, t("whatif.compare")), rulesBox),
    h("div", {class: "grid three"}, field(t("whatif.replications"), els.replications, "replications"),
      field(t("whatif.seed"), els.seed, "seed"), h("button", {type: "submit", class: "primary", id: "whatif-run"}, t("whatif.run"))));
  let timer = null;
  let gone = false;

  const sync = () => {
    const history = els.recorded.checked;
    recordedBox.hidden = !history;
    scenarioBox.hidden = history;
    rulesBox.hidden = !els.compare.checked;
  };
  for (const el of [els.recorded, els.scripted, els.compare]) el.addEventListener("change", sync);
  sample.addEventListener("click", () => { els.scenario.value = JSON.stringify(SAMPLE, null, 2); });

  function request() {
    const body = {replications: Number(els.replications.value), seed: Number(els.seed.value)};
    if (els.recorded.checked) {
      body.history = {day: els.day.value};
      if (els.team.value) body.history.team_id = Number(els.team.value);
    } else body.scenario = parsed(els.scenario.value, "scenario");
    if (els.compare.checked) {
      const edited = parsed(els.rules.value, "compare_rules");
      body.compare_rules = Array.isArray(edited) ? edited : edited.rules;
    }
    return body;
  }

  async function follow(job) {
    if (gone) return;
    progress.value = job.progress;
    status.textContent = t("whatif.running", {percent: show(job.progress, "share")});
    if (job.status === "running") {
      timer = setTimeout(async () => {
        try { await follow(await ctx.api("GET", `/v1/simulations/${job.id}`)); } catch (error) {
          status.textContent = t("whatif.failed", {error: error.detail || String(error)});
        }
      }, 500);
      return;
    }
    progress.hidden = true;
    if (job.status === "failed") { status.textContent = t("whatif.failed", {error: job.error}); return; }
    const r = job.result;
    status.textContent = t("whatif.done", {replications: r.replications, target: r.service_level_target});
    fill(out, resultTable(r));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblems(form);
    clearTimeout(timer);
    fill(out);
    try {
      const job = await ctx.api("POST", "/v1/simulations", request());
      progress.hidden = false;
      await follow(job);
    } catch (error) { showProblems(form, error); }
  });

  async function load() {
    const [teams, exported] = await Promise.all([ctx.api("GET", "/v1/teams"), ctx.api("GET", "/v1/rules/export")]);
    fill(els.team, h("option", {value: ""}, t("whatif.everyone")),
      teams.map((team) => h("option", {value: String(team.id)}, team.name)));
    els.rules.value = JSON.stringify(exported.rules, null, 2);
    sync();
    fill(body, form, progress, status, out);
  }
  load().catch((error) => fill(body, h("p", {class: "error"}, error.detail || String(error))));
  return () => { gone = true; clearTimeout(timer); };
}
