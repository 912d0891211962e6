// Admin: advisors' routing profile: team, supervisor, languages, status, capacities per
// channel and skills with levels.
import {register, t} from "../../i18n.js";
import {empty, fill, h, pill, select, table, toast} from "../../ui.js";
import {CHANNELS, field, formDialog, frame, input, intOrNull, number, parseList,
  showList} from "./common.js";

const STATUSES = ["available", "away", "break", "offline"];

register({
  en: {
    "advisors.title": "Advisors", "advisors.name": "Name", "advisors.team": "Team",
    "advisors.supervisor": "Supervisor", "advisors.languages": "Languages",
    "advisors.languagesHint": "ISO codes, comma-separated (fr, en, it, zh…)", "advisors.status": "Status",
    "advisors.capacity": "Capacity (total)", "advisors.perChannel": "Capacity per channel",
    "advisors.perChannelHint": "empty: no channel cap; 0: does not handle that channel",
    "advisors.skills": "Skills (level 1–5)", "advisors.load": "Load", "advisors.edit": "Advisor {name}",
    "advisors.noTeam": "no team", "advisors.noSupervisor": "none", "advisors.role": "Role",
    "advisors.status.available": "available", "advisors.status.away": "away",
    "advisors.status.break": "break", "advisors.status.offline": "offline",
  },
  fr: {
    "advisors.title": "Conseillers", "advisors.name": "Nom", "advisors.team": "Équipe",
    "advisors.supervisor": "Superviseur", "advisors.languages": "Langues",
    "advisors.languagesHint": "codes ISO séparés par des virgules (fr, en, it, zh…)", "advisors.status": "Statut",
    "advisors.capacity": "Capacité (totale)", "advisors.perChannel": "Capacité par canal",
    "advisors.perChannelHint": "vide : pas de plafond ; 0 : ne traite pas ce canal",
    "advisors.skills": "Compétences (niveau 1–5)", "advisors.load": "Charge",
    "advisors.edit": "Conseiller {name}", "advisors.noTeam": "sans équipe",
    "advisors.noSupervisor": "aucun", "advisors.role": "Rôle",
    "advisors.status.available": "disponible", "advisors.status.away": "absent",
    "advisors.status.break": "pause", "advisors.status.offline": "hors ligne",
  },
});

/** The profile fields (shared with the users screen's creation form). */
export function profileForm(advisor, {teams, skills, staff}) {
  const els = {
    team_id: select({}, [["", t("advisors.noTeam")], ...teams.map((x) => [x.id, x.name])],
      advisor?.team_id ?? ""),
    supervisor_id: select({}, [["", t("advisors.noSupervisor")], ...staff
      .filter((s) => s.role !== "advisor" && s.id !== advisor?.id).map((s) => [s.id, s.name])],
    advisor?.supervisor_id ?? ""),
    languages: input({value: showList(advisor?.languages || ["fr"])}),
    status: select({}, STATUSES.map((s) => [s, t(`advisors.status.${s}`)]), advisor?.status || "offline"),
    capacity_total: number({min: 0, max: 100, value: advisor?.capacity_total ?? 3}),
  };
  const caps = Object.fromEntries(CHANNELS.map((c) => [c, number({min: 0, max: 100,
    value: advisor?.capacity_per_channel?.[c] ?? "", "aria-label": c})]));
  const levels = Object.fromEntries(skills.map((s) => [s.name, select({"aria-label": s.name},
    [["", "–"], ...[1, 2, 3, 4, 5].map((n) => [n, String(n)])], advisor?.skills?.[s.name] ?? "")]));
  const content = h("div", {},
    h("div", {class: "grid two"},
      field(t("advisors.team"), els.team_id, "team_id"),
      field(t("advisors.supervisor"), els.supervisor_id, "supervisor_id"),
      field(t("advisors.languages"), els.languages, "languages", t("advisors.languagesHint")),
      field(t("advisors.status"), els.status, "status"),
      field(t("advisors.capacity"), els.capacity_total, "capacity_total")),
    h("div", {class: "field", dataset: {field: "capacity_per_channel"}},
      h("span", {class: "label"}, t("advisors.perChannel")),
      h("div", {class: "mini-grid"}, CHANNELS.map((c) => h("label", {}, c, caps[c]))),
      h("small", {class: "muted"}, t("advisors.perChannelHint")), h("small", {class: "field-error"})),
    h("div", {class: "field", dataset: {field: "skills"}},
      h("span", {class: "label"}, t("advisors.skills")),
      h("div", {class: "mini-grid"}, skills.map((s) => h("label", {dataset: {skill: s.name}},
        s.name, levels[s.name]))),
      h("small", {class: "field-error"})));
  const value = () => {
    const perChannel = {};
    for (const [c, el] of Object.entries(caps)) if (el.value !== "") perChannel[c] = intOrNull(el);
    const skillLevels = {};
    for (const [name, el] of Object.entries(levels)) if (el.value) skillLevels[name] = Number(el.value);
    return {
      team_id: els.team_id.value ? Number(els.team_id.value) : null,
      supervisor_id: els.supervisor_id.value ? Number(els.supervisor_id.value) : null,
      languages: parseList(els.languages.value), status: els.status.value,
      capacity_total: intOrNull(els.capacity_total), capacity_per_channel: perChannel,
      skills: skillLevels,
    };
  };
  return {content, value};
}

export async function references(api) {
  const [teams, skills, staff] = await Promise.all([api("GET", "/v1/teams"),
    api("GET", "/v1/skills"), api("GET", "/v1/advisors")]);
  return {teams, skills, staff};
}

export function mount(element, ctx) {
  const {body} = frame(element, t("advisors.title"));

  async function edit(advisor, refs) {
    const form = profileForm(advisor, refs);
    const saved = await formDialog(t("advisors.edit", {name: advisor.name}), form.content,
      () => ctx.api("PATCH", `/v1/advisors/${advisor.id}`, form.value()));
    if (saved) { toast(t("admin.saved")); await load(); }
  }

  async function load() {
    const refs = await references(ctx.api);
    const teamName = (id) => refs.teams.find((x) => x.id === id)?.name || "–";
    const skillText = (a) => Object.entries(a.skills).map(([n, l]) => `${n} ${l}`).join(", ");
    const caps = (a) => Object.entries(a.capacity_per_channel).map(([c, n]) => `${c} ${n}`)
      .join(", ");
    fill(body, refs.staff.length ? table([t("advisors.name"), t("advisors.role"), t("advisors.team"),
      t("advisors.status"), t("advisors.languages"), t("advisors.skills"), t("advisors.load"), ""],
    refs.staff.map((a) => h("tr", {dataset: {advisor: a.email}},
      h("td", {}, h("strong", {}, a.name), h("br"), h("small", {class: "muted"}, a.email)),
      h("td", {}, a.role), h("td", {}, teamName(a.team_id)),
      h("td", {}, pill(t(`advisors.status.${a.status}`), `status-${a.status}`)),
      h("td", {}, showList(a.languages)), h("td", {class: "small"}, skillText(a)),
      h("td", {class: "small"}, `${a.load_total} / ${a.capacity_total}`,
        caps(a) ? h("br") : null, caps(a) ? h("small", {class: "muted"}, caps(a)) : null),
      h("td", {}, h("button", {type: "button", onclick: () => edit(a, refs)}, t("admin.edit"))))))
      : empty(t("admin.none")));
  }

  load().catch((error) => fill(body, h("p", {class: "error"}, error.detail || String(error))));
}
