// Admin: reply templates by intent × channel kind × language (which combinations exist,
// which fall back), with the editor and its preview.
import {register, t} from "../../i18n.js";
import {empty, fill, h, table, toast} from "../../ui.js";
import {INTENTS, confirmed, frame, yesNo} from "./common.js";
import {KINDS, TEMPLATE_LANGUAGES, editTemplate} from "./template_form.js";

register({
  en: {
    "templates.title": "Reply templates", "templates.new": "New template", "templates.matrix": "Coverage",
    "templates.intent": "Intent", "templates.name": "Template", "templates.variants": "Variants",
    "templates.active": "Active", "templates.none": "–", "templates.general": "(no intent)",
  },
  fr: {
    "templates.title": "Modèles de réponse", "templates.new": "Nouveau modèle", "templates.matrix": "Couverture",
    "templates.intent": "Intention", "templates.name": "Modèle", "templates.variants": "Variantes",
    "templates.active": "Actif", "templates.none": "–", "templates.general": "(sans intention)",
  },
});

function matrix(templates) {
  const columns = KINDS.flatMap((k) => TEMPLATE_LANGUAGES.map((l) => [k, l]));
  const intents = [...new Set([...INTENTS, ...templates.map((x) => x.intent).filter(Boolean)])];
  const rows = [...intents, null].map((intent) => {
    const mine = templates.filter((x) => x.intent === intent && x.active);
    return h("tr", {}, h("th", {scope: "row"}, intent || t("templates.general")),
      columns.map(([k, l]) => {
        const names = mine.filter((x) => x.variants.some((v) => v.channel_kind === k && v.language === l))
          .map((x) => x.name);
        return h("td", {class: names.length ? "has" : "missing", title: names.join(", ")},
          names.length ? String(names.length) : t("templates.none"));
      }));
  });
  return table([t("templates.intent"), ...columns.map(([k, l]) => `${k} ${l}`)], rows,
    {class: "matrix"});
}

export function mount(element, ctx) {
  const create = h("button", {type: "button", class: "primary", id: "template-new"}, t("templates.new"));
  const {body} = frame(element, t("templates.title"), create);

  async function edit(template) {
    if (await editTemplate(ctx.api, template)) { toast(t("admin.saved")); await load(); }
  }

  async function remove(template) {
    if (!await confirmed(t("admin.confirmDelete", {name: template.name}), t("admin.delete"))) return;
    try {
      await ctx.api("DELETE", `/v1/templates/${template.id}`);
      await load();
    } catch (error) { toast(error.detail || String(error), "error"); }
  }

  async function load() {
    const templates = await ctx.api("GET", "/v1/templates?limit=500");
    fill(body, h("h2", {}, t("templates.matrix")), h("div", {class: "scroll-x"}, matrix(templates)),
      h("h2", {}, t("templates.title")),
      templates.length ? table([t("templates.name"), t("templates.intent"), t("templates.variants"),
        t("templates.active"), ""], templates.map((x) => h("tr", {},
        h("td", {}, h("strong", {}, x.name)), h("td", {}, x.intent || "–"),
        h("td", {class: "small"}, x.variants.map((v) => `${v.channel_kind}/${v.language}`).join(", ")),
        h("td", {}, yesNo(x.active)),
        h("td", {class: "actions"}, h("button", {type: "button", onclick: () => edit(x)}, t("admin.edit")),
          h("button", {type: "button", class: "danger", onclick: () => remove(x)}, t("admin.delete"))))))
        : empty(t("admin.none")));
  }

  create.addEventListener("click", () => edit(null));
  load().catch((error) => fill(body, h("p", {class: "error"}, error.detail || String(error))));
}
