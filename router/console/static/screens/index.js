// The screen registry: the nav and the routes come from this one list. A screen module
// exports `mount(element, ctx)` (ctx = {api, t, live, user, navigate, params, onParams,
// config}) returning an optional unmount function. Roles: a screen shows to the roles it
// lists. Strings: each screen calls i18n `register` for its own.
import "./admin/nav.js";  // the admin screens' nav titles

export const screens = [
  {route: "inbox", roles: ["advisor", "supervisor", "admin"], title: "nav.inbox",
    load: () => import("./advisor/inbox.js")},
  {route: "queue", roles: ["advisor", "supervisor"], title: "nav.queue",
    load: () => import("./advisor/queue.js")},
  {route: "board", roles: ["supervisor", "admin"], title: "nav.board",
    load: () => import("./supervisor/board.js")},
  {route: "held", roles: ["supervisor", "admin"], title: "nav.held",
    load: () => import("./supervisor/held.js")},
  {route: "reports", roles: ["supervisor", "admin"], title: "nav.reports",
    load: () => import("./supervisor/reports.js")},
  // Admin screens (static/screens/admin/) go below this line.
  {route: "admin-teams", roles: ["admin"], title: "nav.admin.teams",
    load: () => import("./admin/teams.js")},
  {route: "admin-skills", roles: ["admin"], title: "nav.admin.skills",
    load: () => import("./admin/skills.js")},
  {route: "admin-advisors", roles: ["admin"], title: "nav.admin.advisors",
    load: () => import("./admin/advisors.js")},
  {route: "admin-rules", roles: ["admin"], title: "nav.admin.rules",
    load: () => import("./admin/rules.js")},
  {route: "admin-templates", roles: ["admin"], title: "nav.admin.templates",
    load: () => import("./admin/templates.js")},
  {route: "admin-sla", roles: ["admin"], title: "nav.admin.sla",
    load: () => import("./admin/sla.js")},
  {route: "admin-routing", roles: ["admin"], title: "nav.admin.routing",
    load: () => import("./admin/routing.js")},
  {route: "admin-whatif", roles: ["admin"], title: "nav.admin.whatif",
    load: () => import("./admin/whatif.js")},
  {route: "admin-users", roles: ["admin"], title: "nav.admin.users",
    load: () => import("./admin/users.js")},
  {route: "admin-keys", roles: ["admin"], title: "nav.admin.keys",
    load: () => import("./admin/apikeys.js")},
  {route: "admin-classifier", roles: ["admin"], title: "nav.admin.classifier",
    load: () => import("./admin/classifier.js")},
  {route: "admin-audit", roles: ["admin"], title: "nav.admin.audit",
    load: () => import("./admin/audit.js")},
];

/** The screens a role may open, in nav order. */
export const screensFor = (role) => screens.filter((s) => s.roles.includes(role));
