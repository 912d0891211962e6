// Admin: teams and how each queue is served (push, offer, pull, blended), its limits and
// its service-level target.
import {formatDuration, register, t} from "../../i18n.js";
import {empty, fill, h, pill, select, table, toast} from "../../ui.js";
import {field, formDialog, frame, input, intOrNull, number} from "./common.js";

const MODES = ["push", "offer", "pull", "blended"];

register({
  en: {
    "teams.title": "Teams", "teams.new": "New team", "teams.name": "Name",
    "teams.mode": "Routing mode", "teams.mode.push": "push: assigned at once",
    "teams.mode.offer": "offer: accepted or declined", "teams.mode.pull": "pull: advisors take",
    "teams.mode.blended": "blended: pushed, then pulled",
    "teams.offerTimeout": "Offer timeout (s)", "teams.pushLimit": "Push limit",
    "teams.pushLimitHint": "blended: conversations held before pushing stops",
    "teams.pushAfter": "Push after (s)", "teams.pushAfterHint": "blended: empty = off",
    "teams.pickLimit": "Pick limit", "teams.pickLimitHint": "claims among the first K (empty: any)",
    "teams.returnAfter": "Return unanswered after (s)", "teams.returnAfterHint": "empty = off",
    "teams.slSeconds": "Service level: answered within (s)", "teams.slPercent": "Service level target (%)",
    "teams.serviceLevel": "Service level", "teams.limits": "Limits", "teams.advisors": "Advisors",
    "teams.slValue": "{percent} % within {time}", "teams.edit": "Team {name}",
  },
  fr: {
    "teams.title": "Équipes", "teams.new": "Nouvelle équipe", "teams.name": "Nom",
    "teams.mode": "Mode de distribution", "teams.mode.push": "push : attribué d’office",
    "teams.mode.offer": "offre : acceptée ou refusée", "teams.mode.pull": "pull : les conseillers prennent",
    "teams.mode.blended": "mixte : poussé, puis pris",
    "teams.offerTimeout": "Délai d’une offre (s)", "teams.pushLimit": "Limite de push",
    "teams.pushLimitHint": "mixte : conversations tenues avant l’arrêt du push",
    "teams.pushAfter": "Pousser après (s)", "teams.pushAfterHint": "mixte : vide = désactivé",
    "teams.pickLimit": "Limite de choix", "teams.pickLimitHint": "prises parmi les K premières (vide : toutes)",
    "teams.returnAfter": "Rendre sans réponse après (s)", "teams.returnAfterHint": "vide = désactivé",
    "teams.slSeconds": "Niveau de service : répondu en (s)", "teams.slPercent": "Objectif de niveau de service (%)",
    "teams.serviceLevel": "Niveau de service", "teams.limits": "Limites", "teams.advisors": "Conseillers",
    "teams.slValue": "{percent} % en {time}", "teams.edit": "Équipe {name}",
  },
});

function teamForm(team) {
  const els = {
    name: input({required: true, maxlength: 100, value: team?.name || ""}),
    routing_mode: select({}, MODES.map((m) => [m, t(`teams.mode.${m}`)]), team?.routing_mode || "push"),
    offer_timeout_seconds: number({min: 5, max: 3600, value: team?.offer_timeout_seconds ?? 30}),
    push_limit: number({min: 0, max: 100, value: team?.push_limit ?? 1}),
    push_after_seconds: number({min: 5, value: team?.push_after_seconds ?? ""}),
    pick_limit: number({min: 1, max: 1000, value: team?.pick_limit ?? ""}),
    return_after_seconds: number({min: 5, value: team?.return_after_seconds ?? ""}),
    service_level_seconds: number({min: 5, max: 86400, value: team?.service_level_seconds ?? 60}),
    service_level_percent: number({min: 1, max: 100, value: team?.service_level_percent ?? 80}),
  };
  if (team) els.name.disabled = true;  // the API renames no team
  const content = h("div", {class: "grid two"},
    field(t("teams.name"), els.name, "name"),
    field(t("teams.mode"), els.routing_mode, "routing_mode"),
    field(t("teams.offerTimeout"), els.offer_timeout_seconds, "offer_timeout_seconds"),
    field(t("teams.pushLimit"), els.push_limit, "push_limit", t("teams.pushLimitHint")),
    field(t("teams.pushAfter"), els.push_after_seconds, "push_after_seconds", t("teams.pushAfterHint")),
    field(t("teams.pickLimit"), els.pick_limit, "pick_limit", t("teams.pickLimitHint")),
    field(t("teams.returnAfter"), els.return_after_seconds, "return_after_seconds",
      t("teams.returnAfterHint")),
    field(t("teams.slSeconds"), els.service_level_seconds, "service_level_seconds"),
    field(t("teams.slPercent"), els.service_level_percent, "service_level_percent"));
  const value = () => {
    const body = {routing_mode: els.routing_mode.value};
    for (const key of Object.keys(els)) {
      if (key !== "name" && key !== "routing_mode") body[key] = intOrNull(els[key]);
    }
    return team ? body : {name: els.name.value.trim(), ...body};
  };
  return {content, value};
}

export function mount(element, ctx) {
  const create = h("button", {type: "button", class: "primary", id: "team-new"}, t("teams.new"));
  const {body} = frame(element, t("teams.title"), create);

  async function edit(team) {
    const form = teamForm(team);
    const title = team ? t("teams.edit", {name: team.name}) : t("teams.new");
    const saved = await formDialog(title, form.content, (f) => (team
      ? ctx.api("PATCH", `/v1/teams/${team.id}`, form.value())
      : ctx.api("POST", "/v1/teams", form.value())));
    if (saved) { toast(t("admin.saved")); await load(); }
  }

  async function load() {
    const [teams, advisors] = await Promise.all([ctx.api("GET", "/v1/teams"),
      ctx.api("GET", "/v1/advisors")]);
    const limits = (team) => [
      `${t("teams.offerTimeout")}: ${team.offer_timeout_seconds}`,
      `${t("teams.pushLimit")}: ${team.push_limit}`,
      team.push_after_seconds ? `${t("teams.pushAfter")}: ${team.push_after_seconds}` : null,
      team.pick_limit ? `${t("teams.pickLimit")}: ${team.pick_limit}` : null,
      team.return_after_seconds ? `${t("teams.returnAfter")}: ${team.return_after_seconds}` : null,
    ].filter(Boolean).join(" · ");
    fill(body, teams.length ? table([t("teams.name"), t("teams.mode"), t("teams.limits"),
      t("teams.serviceLevel"), t("teams.advisors"), ""], teams.map((team) => h("tr", {},
      h("td", {}, h("strong", {}, team.name)),
      h("td", {}, pill(team.routing_mode, `mode-${team.routing_mode}`)),
      h("td", {class: "muted small"}, limits(team)),
      h("td", {}, t("teams.slValue", {percent: team.service_level_percent,
        time: formatDuration(team.service_level_seconds)})),
      h("td", {}, String(advisors.filter((a) => a.team_id === team.id).length)),
      h("td", {}, h("button", {type: "button", onclick: () => edit(team)}, t("admin.edit"))))))
      : empty(t("admin.none")));
  }

  create.addEventListener("click", () => edit(null));
  load().catch((error) => fill(body, h("p", {class: "error"}, error.detail || String(error))));
}
