// Period reports for supervisors: SLA targets met and breached, satisfaction (CSAT) per
// team, over the last 7, 30 or 90 days, and how intense conversations were spread across
// advisors on a chosen day. Read when the screen opens or a choice changes (period figures:
// no live refresh).
import "./strings.js";
import {fill, h, into, latest, row, select, table} from "../../ui.js";
import {formatDate, formatNumber, formatPercent, t} from "../../i18n.js";
import {loadDirectory, teamName, teams} from "../advisor/common.js";

const PERIODS = [7, 30, 90];
const num = (n) => h("span", {class: "num"}, formatNumber(n));

export function mount(element, ctx) {
  const {api} = ctx;
  const team = select({name: "team", id: "report-team", "aria-label": t("reports.team")},
    [["", t("reports.all_teams")]]);
  const period = select({name: "period", id: "report-period", "aria-label": t("reports.period")},
    PERIODS.map((d) => [d, t("reports.days", {n: d})]), 30);
  const today = new Date();
  const day = h("input", {type: "date", name: "day", id: "report-day", required: true,
    "aria-label": t("reports.day"), max: isoDay(today), value: isoDay(today)});
  const slaBox = h("div", {id: "report-sla"});
  const csatBox = h("div", {id: "report-csat"});
  const spreadBox = h("div", {id: "report-spread"});
  const form = h("form", {class: "bar", id: "report-form", onchange: () => load(),
    onsubmit: (e) => { e.preventDefault(); load(); }},
  h("label", {}, `${t("reports.team")} `, team), h("label", {}, `${t("reports.period")} `, period),
  h("button", {type: "submit"}, t("reports.refresh")));
  fill(element, h("section", {}, h("h2", {}, t("reports.title")), form),
    h("div", {class: "board-grid"},
      h("section", {}, h("h2", {}, t("reports.sla")), slaBox),
      h("section", {}, h("h2", {}, t("reports.csat")), csatBox)),
    h("section", {}, h("div", {class: "line"}, h("h2", {}, t("reports.spread")),
      h("span", {class: "grow"}), h("label", {class: "muted"}, `${t("reports.day")} `, day)),
    spreadBox));
  day.addEventListener("change", () => { if (day.reportValidity()) loadSpread(); });

  function query() {
    const q = new URLSearchParams({since: new Date(Date.now() - period.value * 864e5).toISOString()});
    if (team.value) q.set("team_id", team.value);
    return q;
  }

  const freshSla = latest();
  const freshCsat = latest();
  const freshSpread = latest();

  function load() {
    const q = query();
    fill(slaBox, h("p", {class: "muted"}, t("ui.loading")));
    fill(csatBox, h("p", {class: "muted"}, t("ui.loading")));
    const isSla = freshSla();
    const isCsat = freshCsat();
    into(slaBox, async () => {
      const report = await api("GET", `/v1/reports/sla?${q}`);
      if (isSla()) renderSla(report);
    });
    into(csatBox, async () => {
      const report = await api("GET", `/v1/reports/csat?${q}`);
      if (isCsat()) renderCsat(report);
    });
    loadSpread();
  }

  function between(r) {
    return t("reports.between", {since: formatDate(r.since), until: formatDate(r.until)});
  }

  function renderSla(r) {
    const line = (label, f) => row(h("b", {}, label), num(f.met), num(f.breached), num(f.running),
      formatPercent(f.share_met));
    fill(slaBox, table(["", t("reports.met"), t("reports.breached"), t("reports.running"),
      t("reports.share_met")], [line(t("reports.first_reply"), r.first_response),
      line(t("reports.resolution"), r.resolution)], {class: "report-sla"}),
    h("p", {class: "muted"}, t("reports.sla_scope", {between: between(r)})));
  }

  function renderCsat(r) {
    const line = (label, f) => row(h("b", {}, label), num(f.sent), num(f.answered),
      f.average == null ? "–" : formatNumber(f.average, {minimumFractionDigits: 1, maximumFractionDigits: 2}),
      formatPercent(f.response_rate),
      h("span", {class: "muted"}, [1, 2, 3, 4, 5].map((s) => `${s}★ ${f.distribution?.[s] ?? 0}`).join(" · ")));
    fill(csatBox, table(["", t("reports.sent"), t("reports.answered"), t("reports.average"),
      t("reports.rate"), t("reports.scores")], [line(t("reports.all"), r),
      ...r.teams.map((x) => line(x.team_id == null ? t("reports.no_team") : teamName(x.team_id), x))],
    {class: "report-csat"}),
    h("p", {class: "muted"}, t("reports.csat_scope", {between: between(r)})));
  }

  function loadSpread() {
    const q = new URLSearchParams({day: day.value});
    if (team.value) q.set("team_id", team.value);
    const isLatest = freshSpread();
    into(spreadBox, async () => {
      const r = await api("GET", `/v1/reports/intense-spread?${q}`);
      if (!isLatest()) return;
      fill(spreadBox, h("p", {}, t("reports.spread_summary", {total: formatNumber(r.intense_total),
        spread: formatNumber(r.spread)})),
      r.advisors.length ? table([t("board.name"), t("reports.team"), t("reports.intense"), t("reports.taken")],
        r.advisors.map((a) => row(a.name, a.team_id == null ? "" : teamName(a.team_id), num(a.intense),
          num(a.total))), {class: "report-spread"}) : h("p", {class: "muted empty"}, t("reports.nobody")),
      h("p", {class: "muted"}, t("reports.spread_scope", {zone: r.timezone})));
    });
  }

  into(slaBox, async () => {
    await loadDirectory(api);
    const keep = team.value;
    fill(team, [["", t("reports.all_teams")], ...teams().map((x) => [x.id, x.name])]
      .map(([value, label]) => h("option", {value: String(value)}, label)));
    team.value = keep;
    load();
  });
}

function isoDay(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
