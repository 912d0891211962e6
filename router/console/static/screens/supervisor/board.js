// The supervisor's live board: per team the live KPIs report, the queues, the
// advisors (state, load, intense today), the waiting conversations (assign to a named
// advisor, care rules shown) and alerts pushed live. Re-read on live events (debounced),
// never on a timer.
import "./strings.js";
import "../advisor/strings.js";
import {debounce, empty, fill, h, pill, row, table, toastError} from "../../ui.js";
import {formatDate, formatDuration, formatNumber, formatPercent, t} from "../../i18n.js";
import {apiPage} from "../../api.js";
import {advisorName, channelPill, emotionPill, loadDirectory, waitingFor} from "../advisor/common.js";
import {transferDialog} from "../advisor/transfer.js";

const kpi = (label, value, sub) => h("div", {class: "kpi"}, h("span", {class: "muted"}, label),
  h("b", {}, value), sub ? h("span", {class: "muted"}, sub) : null);

export function mount(element, ctx) {
  const {api, live} = ctx;
  const teamsBox = h("div", {id: "board-teams"});
  const waitingList = h("ul", {id: "board-waiting", class: "plain"});
  const alertList = h("ul", {id: "board-alerts", class: "plain"});
  const advisorsBox = h("div", {id: "board-advisors", class: "scroll-x"});
  const stamp = h("span", {class: "muted", id: "board-stamp"});
  const alerts = [];
  fill(element, h("div", {class: "line"}, h("h2", {}, t("board.title")), stamp), teamsBox,
    h("div", {class: "board-grid"},
      h("section", {}, h("h2", {}, t("board.waiting_list")), waitingList),
      h("section", {}, h("h2", {}, t("board.alerts")), alertList)),
    h("section", {}, h("h2", {}, t("board.advisors")), advisorsBox));

  function teamView(team) {
    const today = team.today;
    return h("section", {class: "team", "data-team": team.team_id}, h("h2", {}, team.name),
      h("div", {class: "kpis"},
        kpi(t("board.waiting"), formatNumber(team.waiting)),
        kpi(t("board.oldest"), formatDuration(team.oldest_wait_seconds)),
        kpi(t("board.sl"), formatPercent(today.service_level), t("board.sl_target",
          {percent: `${team.service_level_percent} %`, time: formatDuration(team.service_level_seconds)})),
        kpi(t("board.asa"), formatDuration(today.asa_seconds)),
        kpi(t("board.aht"), formatDuration(today.aht_seconds)),
        kpi(t("board.occupancy"), formatPercent(team.occupancy))),
      h("p", {class: "muted"}, t("board.answered", {answered: today.answered, offered: today.offered,
        abandoned: today.abandoned})),
      queuesTable(team.queues));
  }

  // Conversations waiting in no team's queue (a rule without a team): counted apart, so the
  // teams' figures and this card add up to the waiting list.
  function noTeamView(group) {
    return h("section", {class: "team no-team", "data-team": "none"}, h("h2", {}, t("board.no_team")),
      h("p", {class: "muted"}, t("board.no_team_help")),
      h("div", {class: "kpis"}, kpi(t("board.waiting"), formatNumber(group.waiting)),
        kpi(t("board.oldest"), formatDuration(group.oldest_wait_seconds))),
      queuesTable(group.queues));
  }

  function queuesTable(queues) {
    return queues.length ? table([t("board.queue"), t("board.waiting"), t("board.oldest")],
      queues.map((q) => row([channelPill(q.channel), " ", q.language || "", " ",
        Object.entries(q.skills).map(([k, v]) => `${k}≥${v}`).join(", "), " ",
        q.intense == null ? null : pill(q.intense ? t("board.hot") : t("board.calm"), q.intense ? "hot" : ""),
        q.queue ? null : h("span", {class: "muted"}, t("board.not_filed"))],
      formatNumber(q.waiting), formatDuration(q.oldest_wait_seconds)))) : null;
  }

  async function loadReport() {
    const report = await api("GET", "/v1/reports/live");
    fill(teamsBox, h("div", {class: "board-grid"}, report.teams.map(teamView),
      report.no_team ? noTeamView(report.no_team) : null));
    stamp.textContent = t("board.updated", {when: formatDate(report.at)});
  }

  async function loadWaiting() {
    // In a queue: waiting, or offered and not accepted yet (as the board's figures count).
    const page = await apiPage("/v1/conversations?status=waiting&status=offered&sort=-priority&limit=30");
    fill(waitingList, page.items.length ? page.items.map((c) => h("li", {class: "conv-row",
      "data-conversation": c.id}, h("span", {class: "top-line"}, h("span", {class: "who"},
      c.customer_name || t("inbox.customer", {id: c.customer_id})), h("span", {class: "muted"}, `#${c.id}`)),
    h("span", {class: "preview"}, c.preview || ""),
    h("span", {class: "line"}, channelPill(c.channel), emotionPill(c), pill(waitingFor(c.waiting_since), "waiting"),
      c.status === "offered" ? pill(t("board.offered", {name: advisorName(c.assignee_id)}), "pending") : null,
      h("span", {class: "grow"}), h("button", {type: "button", class: "assign",
        onclick: () => assign(c)}, t("board.assign")))))
      : empty(t("board.nothing"), "li"));
  }

  async function assign(conversation) {
    if (await transferDialog(ctx, conversation)) refresh();
  }

  async function loadAdvisors() {
    const [dir, spread] = await Promise.all([loadDirectory(api, true),
      api("GET", "/v1/reports/intense-spread").catch(() => ({advisors: []}))]);
    const intense = new Map(spread.advisors.map((a) => [a.advisor_id, a]));
    const people = [...dir.advisors.values()].filter((a) => a.role === "advisor");
    fill(advisorsBox, table([t("board.name"), t("board.state"), t("board.load"), t("board.intense")],
      people.map((a) => row(a.name, pill(t(`status.${a.status}`), a.status),
        `${a.load_total}/${a.capacity_total}`,
        intense.has(a.id) ? `${intense.get(a.id).intense}/${intense.get(a.id).total}` : "0"))));
  }

  async function loadAlerts() {
    const rows = await api("GET", "/v1/alerts?limit=500");
    alerts.splice(0, alerts.length, ...rows.slice(-20).reverse());
    paintAlerts();
  }

  function paintAlerts() {
    fill(alertList, alerts.length ? alerts.map((a) => h("li", {class: "item"},
      h("div", {class: "line muted"}, pill(a.type.replace(/^alert\./, "").replace(/_/g, " "), "hot"),
        formatDate(a.created_at || a.at), h("a", {href: `#/inbox/${a.conversation_id}`}, `#${a.conversation_id}`),
        a.advisor_id ? advisorName(a.advisor_id) : null),
      h("div", {}, a.reason || a.data?.reason || ""))) : empty(t("board.no_alerts"), "li"));
  }

  const refresh = debounce(() => {
    loadReport().catch(toastError);
    loadWaiting().catch(toastError);
    loadAdvisors().catch(toastError);
  }, 500);
  const stops = [
    live.on("*", (frame) => {
      if (frame.type?.startsWith("alert.")) {
        alerts.unshift({type: frame.type, at: frame.at, conversation_id: frame.conversation_id,
          advisor_id: frame.advisor_id, reason: frame.data?.reason});
        alerts.splice(20);
        paintAlerts();
      }
      if (frame.type !== "presence" && frame.type !== "pong") refresh();
    }),
    live.on("live.state", ({connected}) => { if (connected) refresh(); }),
  ];
  loadReport().catch(toastError);
  loadWaiting().catch(toastError);
  loadAdvisors().catch(toastError);
  loadAlerts().catch(toastError);
  return () => { stops.forEach((s) => s()); refresh.cancel(); };
}
