// Admin: integrators' API keys: scopes and channels; the secret is shown once, at
// creation; revoking takes effect within seconds everywhere.
import {formatDate, register, t} from "../../i18n.js";
import {dialog, empty, fill, h, pill, table, toast} from "../../ui.js";
import {CHANNELS, checkList, confirmed, field, formDialog, frame, input, secretBox} from "./common.js";

const SCOPES = ["messages:write", "messages:read", "conversations:read", "conversations:write",
  "advisors:read", "advisors:write", "catalog:read", "rules:read", "customers:read"];

register({
  en: {
    "keys.title": "API keys", "keys.new": "New API key", "keys.name": "Name", "keys.scopes": "Scopes",
    "keys.channels": "Channels", "keys.channelsHint": "none ticked: every channel", "keys.prefix": "Key",
    "keys.created": "Created", "keys.lastUsed": "Last used", "keys.state": "State",
    "keys.revoke": "Revoke", "keys.revoked": "revoked {at}", "keys.live": "active",
    "keys.revokeAsk": "Revoke the key {name}? Integrations using it stop within seconds.",
    "keys.secretTitle": "Key {name} created",
    "keys.secretOnce": "The key, shown once: store it now (send it as X-API-Key).",
    "keys.allChannels": "all", "keys.never": "never",
  },
  fr: {
    "keys.title": "Clés d’API", "keys.new": "Nouvelle clé d’API", "keys.name": "Nom",
    "keys.scopes": "Portées", "keys.channels": "Canaux", "keys.channelsHint": "aucun coché : tous les canaux",
    "keys.prefix": "Clé", "keys.created": "Créée", "keys.lastUsed": "Dernier usage", "keys.state": "État",
    "keys.revoke": "Révoquer", "keys.revoked": "révoquée {at}", "keys.live": "active",
    "keys.revokeAsk": "Révoquer la clé {name} ? Les intégrations qui l’utilisent s’arrêtent en quelques secondes.",
    "keys.secretTitle": "Clé {name} créée",
    "keys.secretOnce": "La clé, affichée une seule fois : conservez-la maintenant (envoyée en X-API-Key).",
    "keys.allChannels": "tous", "keys.never": "jamais",
  },
});

export function mount(element, ctx) {
  const create = h("button", {type: "button", class: "primary", id: "key-new"}, t("keys.new"));
  const {body} = frame(element, t("keys.title"), create);

  async function add() {
    const name = input({required: true, maxlength: 100});
    const scopes = checkList(SCOPES, ["messages:write"]);
    const channels = checkList(CHANNELS, []);
    const created = await formDialog(t("keys.new"), h("div", {},
      field(t("keys.name"), name, "name"), field(t("keys.scopes"), scopes.el, "scopes"),
      field(t("keys.channels"), channels.el, "channels", t("keys.channelsHint"))),
    () => ctx.api("POST", "/v1/api-keys", {name: name.value.trim(), scopes: scopes.value(),
      channels: channels.value()}), t("admin.create"));
    if (!created) return;
    await load();
    await dialog(t("keys.secretTitle", {name: created.name}), secretBox(created.secret, t("keys.secretOnce")));
  }

  async function revoke(key) {
    if (!await confirmed(t("keys.revokeAsk", {name: key.name}), t("keys.revoke"))) return;
    try { await ctx.api("POST", `/v1/api-keys/${key.id}/revoke`); await load(); } catch (error) {
      toast(error.detail || String(error), "error");
    }
  }

  async function load() {
    const keys = await ctx.api("GET", "/v1/api-keys");
    fill(body, keys.length ? table([t("keys.name"), t("keys.prefix"), t("keys.scopes"), t("keys.channels"),
      t("keys.created"), t("keys.lastUsed"), t("keys.state"), ""], keys.map((k) => h("tr", {dataset: {key: k.name}},
      h("td", {}, h("strong", {}, k.name)), h("td", {}, h("code", {}, `${k.prefix}…`)),
      h("td", {class: "small"}, k.scopes.join(", ")),
      h("td", {class: "small"}, k.channels.join(", ") || t("keys.allChannels")),
      h("td", {class: "small"}, formatDate(k.created_at)),
      h("td", {class: "small"}, k.last_used_at ? formatDate(k.last_used_at) : t("keys.never")),
      h("td", {}, k.revoked_at ? pill(t("keys.revoked", {at: formatDate(k.revoked_at)}), "failed")
        : pill(t("keys.live"), "ok")),
      h("td", {}, k.revoked_at ? null : h("button", {type: "button", class: "danger",
        onclick: () => revoke(k)}, t("keys.revoke"))))))
      : empty(t("admin.none")));
  }

  create.addEventListener("click", () => add().catch((e) => toast(e.detail || String(e), "error")));
  load().catch((error) => fill(body, h("p", {class: "error"}, error.detail || String(error))));
}
