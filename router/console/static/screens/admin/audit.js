// Admin: the audit log: every change by a supervisor, an admin, an integrator's key or the
// CLI, oldest first, read page by page (after_id), optionally of one actor.
import {formatDate, register, t} from "../../i18n.js";
import {empty, fill, h, select, table} from "../../ui.js";
import {frame} from "./common.js";

const PAGE = 200;

register({
  en: {
    "audit.title": "Audit log", "audit.at": "When", "audit.actor": "Who", "audit.action": "Action",
    "audit.target": "Target", "audit.status": "Status", "audit.more": "Load more",
    "audit.everyone": "everyone", "audit.newest": "Jump to the newest",
  },
  fr: {
    "audit.title": "Journal d’audit", "audit.at": "Quand", "audit.actor": "Qui", "audit.action": "Action",
    "audit.target": "Cible", "audit.status": "Statut", "audit.more": "Charger les suivantes",
    "audit.everyone": "tout le monde", "audit.newest": "Aller aux plus récentes",
  },
});

export function mount(element, ctx) {
  const actor = select({id: "audit-actor"}, [["", t("audit.everyone")]], "");
  const more = h("button", {type: "button", id: "audit-more"}, t("audit.more"));
  const {body} = frame(element, t("audit.title"), actor);
  const rows = h("tbody", {});
  let names = new Map();
  let last = 0;

  const actorText = (e) => {
    const who = e.actor_kind === "staff" ? names.get(e.actor_id) || `#${e.actor_id}`
      : `${e.actor_kind}${e.actor_id ? ` #${e.actor_id}` : ""}`;
    return e.actor_role ? `${who} (${e.actor_role})` : who;
  };

  async function page() {
    const query = new URLSearchParams({after_id: String(last), limit: String(PAGE)});
    if (actor.value) query.set("actor_id", actor.value);
    const entries = await ctx.api("GET", `/v1/audit?${query}`);
    rows.append(...entries.map((e) => h("tr", {},
      h("td", {class: "small"}, formatDate(e.at, {dateStyle: "medium", timeStyle: "medium"})),
      h("td", {}, actorText(e)), h("td", {}, h("code", {}, e.action)), h("td", {class: "small"}, e.target),
      h("td", {}, e.status_code == null ? "" : String(e.status_code)))));
    if (entries.length) last = entries[entries.length - 1].id;
    more.hidden = entries.length < PAGE;
    if (!rows.children.length) fill(body, empty(t("admin.none")));
  }

  async function restart() {
    last = 0;
    rows.replaceChildren();
    fill(body, table([t("audit.at"), t("audit.actor"), t("audit.action"), t("audit.target"),
      t("audit.status")], [], {id: "audit-table"}), more);
    body.querySelector("tbody").replaceWith(rows);
    await page();
  }

  (async () => {
    const staff = await ctx.api("GET", "/v1/advisors");
    names = new Map(staff.map((s) => [s.id, s.name]));
    for (const s of staff.filter((x) => x.role !== "advisor")) actor.append(h("option", {value: String(s.id)}, s.name));
    await restart();
  })().catch((error) => fill(body, h("p", {class: "error"}, error.detail || String(error))));
  actor.addEventListener("change", () => restart().catch(() => null));
  more.addEventListener("click", () => page().catch(() => null));
}
