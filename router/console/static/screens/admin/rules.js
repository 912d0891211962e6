// Admin: routing rules in evaluation order (first match wins, the default rule catches the
// rest), the editor, import/export as the CLI's document, and the dry-run panel.
import {register, t} from "../../i18n.js";
import {empty, fill, h, pill, table, toast} from "../../ui.js";
import {confirmed, downloadJson, frame, readJsonFile, yesNo} from "./common.js";
import {dryRunPanel} from "./dry_run.js";
import {editRule} from "./rule_form.js";

register({
  en: {
    "rules.title": "Routing rules", "rules.new": "New rule", "rules.export": "Export",
    "rules.import": "Import…", "rules.replace": "Replace: delete rules not in the file?",
    "rules.imported": "Imported: {created} created, {updated} updated, {deleted} deleted.",
    "rules.position": "#", "rules.name": "Rule", "rules.when": "When", "rules.needs": "Needs",
    "rules.steps": "Escalation", "rules.enabled": "On", "rules.always": "anything else",
    "rules.stepText": "after {after}s", "rules.matched": "matched by the dry run",
    "rules.importReplace": "Replace", "rules.importMerge": "Keep the others",
  },
  fr: {
    "rules.title": "Règles de routage", "rules.new": "Nouvelle règle", "rules.export": "Exporter",
    "rules.import": "Importer…", "rules.replace": "Remplacer : supprimer les règles absentes du fichier ?",
    "rules.imported": "Importé : {created} créées, {updated} modifiées, {deleted} supprimées.",
    "rules.position": "#", "rules.name": "Règle", "rules.when": "Quand", "rules.needs": "Exige",
    "rules.steps": "Escalade", "rules.enabled": "Active", "rules.always": "tout le reste",
    "rules.stepText": "après {after} s", "rules.matched": "retenue par l’essai à blanc",
    "rules.importReplace": "Remplacer", "rules.importMerge": "Garder les autres",
  },
});

function conditionText(conditions) {
  const parts = Object.entries(conditions || {}).map(([key, value]) => {
    if (key === "hours") return `hours ${value.when || "open"} (${value.timezone})`;
    return `${key}: ${Array.isArray(value) ? value.join(", ") : value}`;
  });
  return parts.length ? parts.join(" · ") : t("rules.always");
}

const needsText = (rule, teamName) => [
  Object.entries(rule.required_skills).map(([n, l]) => `${n} ≥ ${l}`).join(", "),
  rule.team_id ? teamName(rule.team_id) : null, `P${rule.priority}`, rule.policy,
].filter(Boolean).join(" · ");

export function mount(element, ctx) {
  const create = h("button", {type: "button", class: "primary", id: "rule-new"}, t("rules.new"));
  const exportButton = h("button", {type: "button", id: "rules-export"}, t("rules.export"));
  const file = h("input", {type: "file", accept: ".json,application/json", id: "rules-import",
    class: "visually-hidden"});
  const importLabel = h("label", {for: "rules-import", class: "button"}, t("rules.import"));
  const {body} = frame(element, t("rules.title"), create, exportButton, importLabel, file);
  const list = h("div", {class: "rules-list"});
  let refs = null;
  let matched = null;
  // The editor needs the teams and skills: no editing before they are loaded (a click on
  // "New rule" that came first would open an editor without them).
  create.disabled = true;

  function render(rules) {
    const teamName = (id) => refs.teams.find((x) => x.id === id)?.name || `#${id}`;
    fill(list, rules.length ? table([t("rules.position"), t("rules.name"), t("rules.when"),
      t("rules.needs"), t("rules.steps"), t("rules.enabled"), ""], rules.map((rule) => h("tr", {
      class: rule.id === matched ? "matched" : "", dataset: {rule: rule.name}},
    h("td", {}, String(rule.position)),
    h("td", {}, h("strong", {}, rule.name), rule.id === matched
      ? pill(t("rules.matched"), "ok") : null),
    h("td", {class: "small"}, conditionText(rule.conditions)),
    h("td", {class: "small"}, needsText(rule, teamName)),
    h("td", {class: "small"}, rule.escalation.map((s) => t("rules.stepText",
      {after: s.after_seconds})).join(", ")),
    h("td", {}, yesNo(rule.enabled)),
    h("td", {class: "actions"},
      h("button", {type: "button", onclick: () => edit(rule)}, t("admin.edit")),
      rule.is_default ? null : h("button", {type: "button", class: "danger",
        onclick: () => remove(rule)}, t("admin.delete"))))))
      : empty(t("admin.none")));
  }

  async function load() {
    render(await ctx.api("GET", "/v1/rules"));
  }

  async function edit(rule) {
    if (refs === null) return;
    const saved = await editRule(ctx.api, rule, refs);
    if (saved) { toast(t("admin.saved")); await load(); }
  }

  async function remove(rule) {
    if (!await confirmed(t("admin.confirmDelete", {name: rule.name}), t("admin.delete"))) return;
    try {
      await ctx.api("DELETE", `/v1/rules/${rule.id}`);
      toast(t("admin.deleted"));
      await load();
    } catch (error) { toast(error.detail || String(error), "error"); }
  }

  exportButton.addEventListener("click", async () => {
    try { downloadJson("rules.json", await ctx.api("GET", "/v1/rules/export")); } catch (error) {
      toast(error.detail || String(error), "error");
    }
  });
  file.addEventListener("change", async () => {
    const chosen = file.files[0];
    file.value = "";
    if (!chosen) return;
    try {
      const document = await readJsonFile(chosen);
      const rules = Array.isArray(document) ? document : document.rules;
      const replace = await confirmed(t("rules.replace"), t("rules.importReplace"));
      const summary = await ctx.api("POST", "/v1/rules/import", {rules, replace});
      toast(t("rules.imported", summary));
      await load();
    } catch (error) { toast(error.detail || error.message || String(error), "error"); }
  });
  create.addEventListener("click", () => edit(null));

  (async () => {
    const [teams, skills, advisors] = await Promise.all([ctx.api("GET", "/v1/teams"),
      ctx.api("GET", "/v1/skills"), ctx.api("GET", "/v1/advisors")]);
    refs = {teams, skills, advisors};
    create.disabled = false;
    const panel = dryRunPanel(ctx.api, refs, async (ruleId) => { matched = ruleId; await load(); });
    fill(body, h("div", {class: "split"}, list, panel));
    await load();
  })().catch((error) => fill(body, h("p", {class: "error"}, error.detail || String(error))));
}
