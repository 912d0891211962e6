// The screen registry: the nav and the routes come from this one list. A screen module
// exports `mount(element, ctx)` (ctx = {api, t, live, user, navigate, params, onParams,
// config}) returning an optional unmount function. Roles: a screen shows to the roles it
// lists. Strings: each screen calls i18n `register` for its own.
export const screens = [
  {route: "inbox", roles: ["advisor", "supervisor", "admin"], title: "nav.inbox",
    load: () => import("./advisor/inbox.js")},
  {route: "queue", roles: ["advisor", "supervisor"], title: "nav.queue",
    load: () => import("./advisor/queue.js")},
  {route: "board", roles: ["supervisor", "admin"], title: "nav.board",
    load: () => import("./supervisor/board.js")},
  {route: "held", roles: ["supervisor", "admin"], title: "nav.held",
    load: () => import("./supervisor/held.js")},
  // Admin screens (static/screens/admin/) go below this line.
];

/** The screens a role may open, in nav order. */
export const screensFor = (role) => screens.filter((s) => s.roles.includes(role));
