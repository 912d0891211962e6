// The template editor: name, intent, variants by channel kind × language, and a preview
// rendered as the router renders it (variant choice: exact, then "any", then English;
// e-mail gets its greeting and signature) with sample values for the placeholders.
import {register, t} from "../../i18n.js";
import {fill, h, select} from "../../ui.js";
import {INTENTS, checkbox, field, formDialog, input, textarea} from "./common.js";

export const KINDS = ["email", "chat", "social", "any"];
export const TEMPLATE_LANGUAGES = ["fr", "en"];
const KIND_OF_CHANNEL = {email: "email", chat: "chat", api: "chat", messenger: "social",
  instagram: "social", whatsapp: "social", x: "social"};
const SAMPLE = {"customer.first_name": "Camille", "customer.name": "Camille Martin",
  "advisor.first_name": "Julie", "advisor.name": "Julie Bernard", "team.name": "Support",
  "conversation.id": "1042", "conversation.subject": "Facture / Invoice", order_number: "A-55120",
  tracking_number: "1Z999AA10123456784", invoice_number: "F-2026-0113", contract_number: "C-7781",
  amount: "129.90 EUR", date: "2026-03-14"};
const PERSONAL = new Set(["customer.name", "conversation.subject", "order_number", "tracking_number",
  "invoice_number", "contract_number", "amount"]);
const GREETING = {en: ["Hello {name},", "Hello,"], fr: ["Bonjour {name},", "Bonjour,"]};
const SIGN_OFF = {en: "Kind regards,", fr: "Cordialement,"};

register({
  en: {
    "tpl.new": "New template", "tpl.edit": "Template {name}", "tpl.name": "Name", "tpl.intent": "Intent",
    "tpl.noIntent": "no particular intent", "tpl.active": "Active", "tpl.variants": "Variants",
    "tpl.kind": "Channel kind", "tpl.language": "Language", "tpl.subject": "Subject (e-mail)",
    "tpl.body": "Text", "tpl.bodyHint": "placeholders: {{customer.first_name}}, {{advisor.name}}, {{order_number}}…",
    "tpl.addVariant": "Add a variant", "tpl.remove": "Remove", "tpl.preview": "Preview",
    "tpl.channel": "Channel", "tpl.withheld": "Refused on public social replies: {names}",
    "tpl.noVariant": "No variant fits (add an English one as the fallback).",
    "tpl.fallback": "Uses the {kind}/{language} variant (no exact one).",
  },
  fr: {
    "tpl.new": "Nouveau modèle", "tpl.edit": "Modèle {name}", "tpl.name": "Nom", "tpl.intent": "Intention",
    "tpl.noIntent": "aucune intention particulière", "tpl.active": "Actif", "tpl.variants": "Variantes",
    "tpl.kind": "Type de canal", "tpl.language": "Langue", "tpl.subject": "Objet (e-mail)",
    "tpl.body": "Texte", "tpl.bodyHint": "variables : {{customer.first_name}}, {{advisor.name}}, {{order_number}}…",
    "tpl.addVariant": "Ajouter une variante", "tpl.remove": "Retirer", "tpl.preview": "Aperçu",
    "tpl.channel": "Canal", "tpl.withheld": "Refusées sur une réponse publique : {names}",
    "tpl.noVariant": "Aucune variante ne convient (ajoutez une variante anglaise de secours).",
    "tpl.fallback": "Utilise la variante {kind}/{language} (pas de variante exacte).",
  },
});

export function pickVariant(variants, kind, language) {
  for (const [k, l] of [[kind, language], ["any", language], [kind, "en"], ["any", "en"]]) {
    const found = variants.find((v) => v.channel_kind === k && v.language === l);
    if (found) return found;
  }
  return null;
}

/** {text, subject, variant, withheld} as the router would render it for `channel`. */
export function renderPreview(variants, channel, language) {
  const kind = KIND_OF_CHANNEL[channel] || "chat";
  const variant = pickVariant(variants, kind, language);
  if (!variant) return null;
  const withheld = new Set();
  const fillIn = (text) => String(text || "").replace(/\{\{([^{}]{0,80})\}\}/g, (whole, raw) => {
    const name = raw.trim();
    if (kind === "social" && PERSONAL.has(name)) { withheld.add(name); return whole; }
    let value = SAMPLE[name];
    if (value && variant.language === "fr" && name === "amount") value = value.replace(".", ",");
    if (value && variant.language === "fr" && name === "date") value = value.split("-").reverse().join("/");
    return value ?? whole;
  });
  let text = fillIn(variant.body).trim();
  if (kind === "email") {
    const [named] = GREETING[variant.language];
    text = [named.replace("{name}", SAMPLE["customer.first_name"]), text,
      [SIGN_OFF[variant.language], SAMPLE["advisor.name"], SAMPLE["team.name"]].join("\n")].join("\n\n");
  }
  return {text, subject: kind === "email" && variant.subject ? fillIn(variant.subject) : null,
    variant, withheld: [...withheld], exact: variant.channel_kind === kind && variant.language === language};
}

function variantEditor(variant, index, onRemove, onInput) {
  const kind = select({}, KINDS.map((k) => [k, k]), variant?.channel_kind || "chat");
  const language = select({}, TEMPLATE_LANGUAGES.map((l) => [l, l]), variant?.language || "fr");
  const subject = input({value: variant?.subject || "", maxlength: 998});
  const body = textarea({rows: 4, value: variant?.body || ""});
  const base = `variants.${index}`;
  const el = h("div", {class: "variant", dataset: {field: base}},
    h("div", {class: "grid three"}, field(t("tpl.kind"), kind, `${base}.channel_kind`),
      field(t("tpl.language"), language, `${base}.language`),
      field(t("tpl.subject"), subject, `${base}.subject`)),
    field(t("tpl.body"), body, `${base}.body`, t("tpl.bodyHint")),
    h("button", {type: "button", class: "link", onclick: onRemove}, t("tpl.remove")),
    h("small", {class: "field-error"}));
  el.addEventListener("input", onInput);
  const value = () => ({channel_kind: kind.value, language: language.value,
    subject: subject.value.trim() || null, body: body.value});
  return {el, value};
}

/** Open the editor for `template` (null: a new one); resolves to the saved template. */
export function editTemplate(api, template) {
  const name = input({required: true, maxlength: 120, value: template?.name || ""});
  const intent = select({}, [["", t("tpl.noIntent")], ...INTENTS.map((i) => [i, i])], template?.intent || "");
  const active = checkbox(template ? template.active : true);
  const box = h("div", {class: "variants"});
  let editors = [];
  const previewChannel = select({}, Object.keys(KIND_OF_CHANNEL).map((c) => [c, c]), "chat");
  const previewLanguage = select({}, TEMPLATE_LANGUAGES.map((l) => [l, l]), "fr");
  const preview = h("div", {class: "preview-box", id: "tpl-preview"});
  const values = () => editors.map((e) => e.value());
  const showPreview = () => {
    const out = renderPreview(values(), previewChannel.value, previewLanguage.value);
    if (!out) { fill(preview, h("span", {class: "muted"}, t("tpl.noVariant"))); return; }
    fill(preview, out.subject ? h("strong", {class: "subject"}, out.subject) : null, out.text,
      out.exact ? null : h("p", {class: "muted"}, t("tpl.fallback", {kind: out.variant.channel_kind,
        language: out.variant.language})),
      out.withheld.length ? h("p", {class: "warning"}, t("tpl.withheld", {names: out.withheld.join(", ")})) : null);
  };
  const redraw = () => {
    const current = editors.length ? values() : (template?.variants || [{channel_kind: "chat", language: "fr"}]);
    editors = current.map((v, i) => variantEditor(v, i, () => {
      const kept = values().filter((_, j) => j !== i);
      editors = kept.map((x) => ({value: () => x}));
      redraw();
    }, showPreview));
    box.replaceChildren(...editors.map((e) => e.el));
    showPreview();
  };
  redraw();
  previewChannel.addEventListener("change", showPreview);
  previewLanguage.addEventListener("change", showPreview);
  const content = h("div", {class: "split"},
    h("div", {}, h("div", {class: "grid three"}, field(t("tpl.name"), name, "name"),
      field(t("tpl.intent"), intent, "intent"), h("label", {class: "check"}, active, t("tpl.active"))),
    h("div", {class: "field", dataset: {field: "variants"}}, h("span", {class: "label"}, t("tpl.variants")),
      box, h("small", {class: "field-error"})),
    h("button", {type: "button", onclick: () => {
      editors.push({value: () => ({channel_kind: "email", language: "en"})});
      redraw();
    }}, t("tpl.addVariant"))),
    h("aside", {class: "panel"}, h("h2", {}, t("tpl.preview")), h("div", {class: "grid two"},
      field(t("tpl.channel"), previewChannel), field(t("tpl.language"), previewLanguage)), preview));
  const body = () => ({name: name.value.trim(), intent: intent.value || null, active: active.checked,
    variants: values()});
  return formDialog(template ? t("tpl.edit", {name: template.name}) : t("tpl.new"), content,
    () => (template ? api("PATCH", `/v1/templates/${template.id}`, body())
      : api("POST", "/v1/templates", body())));
}
