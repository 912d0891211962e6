// Admin: SLA policies (first-response and resolution targets per priority floor and
// channel, tried in order) and the business hours their clocks count.
import {formatDuration, register, t} from "../../i18n.js";
import {empty, fill, h, select, table, toast} from "../../ui.js";
import {CHANNELS, checkbox, confirmed, field, floatOrNull, formDialog, frame, input, intOrNull,
  number, yesNo} from "./common.js";
import {hoursEditor} from "./hours.js";

register({
  en: {
    "sla.title": "SLA policies and business hours", "sla.new": "New policy", "sla.edit": "Policy {name}",
    "sla.name": "Name", "sla.position": "Position", "sla.minPriority": "From priority",
    "sla.channel": "Channel", "sla.firstResponse": "First response (s)", "sla.resolution": "Resolution (s)",
    "sla.targetHint": "business seconds, 60 or more; empty: no target", "sla.warning": "Warn at (share)",
    "sla.hours": "Count business hours only", "sla.active": "Active", "sla.targets": "Targets",
    "sla.appliesTo": "Applies to", "sla.everyHour": "every hour", "sla.any": "any",
  },
  fr: {
    "sla.title": "Politiques de SLA et horaires d’ouverture", "sla.new": "Nouvelle politique",
    "sla.edit": "Politique {name}", "sla.name": "Nom", "sla.position": "Position",
    "sla.minPriority": "À partir de la priorité", "sla.channel": "Canal",
    "sla.firstResponse": "Première réponse (s)", "sla.resolution": "Résolution (s)",
    "sla.targetHint": "secondes ouvrées, 60 ou plus ; vide : pas d’objectif",
    "sla.warning": "Avertir à (part)", "sla.hours": "Ne compter que les heures ouvrées",
    "sla.active": "Active", "sla.targets": "Objectifs", "sla.appliesTo": "S’applique à",
    "sla.everyHour": "toutes les heures", "sla.any": "tous",
  },
});

function policyForm(policy) {
  const els = {
    name: input({required: true, maxlength: 120, value: policy?.name || ""}),
    position: number({min: 0, value: policy?.position ?? 0}),
    min_priority: number({min: 0, max: 100, value: policy?.min_priority ?? ""}),
    channel: select({}, [["", t("sla.any")], ...CHANNELS.map((c) => [c, c])], policy?.channel ?? ""),
    first_response_seconds: number({min: 60, value: policy?.first_response_seconds ?? 3600}),
    resolution_seconds: number({min: 60, value: policy?.resolution_seconds ?? ""}),
    warning_ratio: number({min: 0.5, max: 0.99, step: 0.01, value: policy?.warning_ratio ?? 0.8}),
    active: checkbox(policy ? policy.active : true),
    useHours: checkbox(Boolean(policy?.business_hours)),
  };
  const hours = hoursEditor("business_hours", policy?.business_hours || {weekly: {mon: [["09:00", "18:00"]],
    tue: [["09:00", "18:00"]], wed: [["09:00", "18:00"]], thu: [["09:00", "18:00"]], fri: [["09:00", "18:00"]]}});
  hours.el.hidden = !els.useHours.checked;
  els.useHours.addEventListener("change", () => { hours.el.hidden = !els.useHours.checked; });
  const content = h("div", {},
    h("div", {class: "grid three"},
      field(t("sla.name"), els.name, "name"), field(t("sla.position"), els.position, "position"),
      field(t("sla.minPriority"), els.min_priority, "min_priority"),
      field(t("sla.channel"), els.channel, "channel"),
      field(t("sla.firstResponse"), els.first_response_seconds, "first_response_seconds", t("sla.targetHint")),
      field(t("sla.resolution"), els.resolution_seconds, "resolution_seconds", t("sla.targetHint")),
      field(t("sla.warning"), els.warning_ratio, "warning_ratio"),
      h("label", {class: "check"}, els.active, t("sla.active"))),
    h("label", {class: "check"}, els.useHours, t("sla.hours")), hours.el);
  const value = () => ({
    name: els.name.value.trim(), position: intOrNull(els.position) ?? 0,
    min_priority: intOrNull(els.min_priority), channel: els.channel.value || null,
    first_response_seconds: intOrNull(els.first_response_seconds),
    resolution_seconds: intOrNull(els.resolution_seconds),
    warning_ratio: floatOrNull(els.warning_ratio) ?? 0.8,
    business_hours: els.useHours.checked ? hours.value() : null, active: els.active.checked,
  });
  return {content, value};
}

function hoursText(hours) {
  if (!hours) return t("sla.everyHour");
  const days = Object.entries(hours.weekly || {}).map(([d, w]) => `${d} ${w.map((x) => x.join("–")).join(", ")}`);
  return `${hours.timezone}: ${days.join(" · ")}`;
}

export function mount(element, ctx) {
  const create = h("button", {type: "button", class: "primary", id: "sla-new"}, t("sla.new"));
  const {body} = frame(element, t("sla.title"), create);

  async function edit(policy) {
    const form = policyForm(policy);
    const saved = await formDialog(policy ? t("sla.edit", {name: policy.name}) : t("sla.new"),
      form.content, () => (policy ? ctx.api("PATCH", `/v1/sla-policies/${policy.id}`, form.value())
        : ctx.api("POST", "/v1/sla-policies", form.value())));
    if (saved) { toast(t("admin.saved")); await load(); }
  }

  async function remove(policy) {
    if (!await confirmed(t("admin.confirmDelete", {name: policy.name}), t("admin.delete"))) return;
    try { await ctx.api("DELETE", `/v1/sla-policies/${policy.id}`); await load(); } catch (error) {
      toast(error.detail || String(error), "error");
    }
  }

  async function load() {
    const policies = await ctx.api("GET", "/v1/sla-policies");
    const targets = (p) => [p.first_response_seconds && `${t("sla.firstResponse").replace(" (s)", "")}: ${formatDuration(p.first_response_seconds)}`,
      p.resolution_seconds && `${t("sla.resolution").replace(" (s)", "")}: ${formatDuration(p.resolution_seconds)}`]
      .filter(Boolean).join(" · ");
    fill(body, policies.length ? table(["#", t("sla.name"), t("sla.appliesTo"), t("sla.targets"),
      t("sla.hours"), t("sla.active"), ""], policies.map((p) => h("tr", {},
      h("td", {}, String(p.position)), h("td", {}, h("strong", {}, p.name)),
      h("td", {class: "small"}, `P ≥ ${p.min_priority ?? 0} · ${p.channel || t("sla.any")}`),
      h("td", {class: "small"}, targets(p)), h("td", {class: "small"}, hoursText(p.business_hours)),
      h("td", {}, yesNo(p.active)),
      h("td", {class: "actions"}, h("button", {type: "button", onclick: () => edit(p)}, t("admin.edit")),
        h("button", {type: "button", class: "danger", onclick: () => remove(p)}, t("admin.delete"))))))
      : empty(t("admin.none")));
  }

  create.addEventListener("click", () => edit(null));
  load().catch((error) => fill(body, h("p", {class: "error"}, error.detail || String(error))));
}
