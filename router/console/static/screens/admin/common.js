// Helpers shared by the admin screens: form fields that show the API's 422 next to the
// right input, list and number inputs, the admin style sheet, JSON download and upload.
// Server text only ever becomes text nodes or attribute values.
import {register, t} from "../../i18n.js";
import {fill, h} from "../../ui.js";

export const CHANNELS = ["chat", "email", "whatsapp", "messenger", "instagram", "x", "api"];
export const INTENTS = ["billing", "order_delivery", "technical", "account_access",
  "cancellation", "refund_return", "complaint", "product_info", "appointment_callback",
  "other", "unknown"];
export const EMOTIONS = ["anger", "frustration", "anxiety", "neutral", "satisfaction"];
export const LANGUAGES = ["fr", "en"];
export const POLICIES = ["best_fit", "least_busy", "longest_idle", "round_robin"];
export const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

register({
  en: {
    "admin.save": "Save", "admin.create": "Create", "admin.edit": "Edit",
    "admin.delete": "Delete", "admin.cancel": "Cancel", "admin.new": "New",
    "admin.saved": "Saved.", "admin.deleted": "Deleted.", "admin.none": "None yet.",
    "admin.yes": "yes", "admin.no": "no", "admin.any": "any", "admin.off": "off",
    "admin.listHint": "comma-separated", "admin.confirmDelete": "Delete {name}?",
    "admin.fixFields": "Some fields need attention: {detail}",
    "admin.loading": "Loading…", "admin.actions": "Actions", "admin.confirm": "Confirm",
  },
  fr: {
    "admin.save": "Enregistrer", "admin.create": "Créer", "admin.edit": "Modifier",
    "admin.delete": "Supprimer", "admin.cancel": "Annuler", "admin.new": "Nouveau",
    "admin.saved": "Enregistré.", "admin.deleted": "Supprimé.", "admin.none": "Aucun pour l’instant.",
    "admin.yes": "oui", "admin.no": "non", "admin.any": "tous", "admin.off": "désactivé",
    "admin.listHint": "séparés par des virgules", "admin.confirmDelete": "Supprimer {name} ?",
    "admin.fixFields": "Certains champs sont à corriger : {detail}",
    "admin.loading": "Chargement…", "admin.actions": "Actions", "admin.confirm": "Confirmer",
  },
});

/** Load the admin style sheet once (a file of this origin: the CSP allows it). */
export function useStyles() {
  if (document.getElementById("admin-css")) return;
  document.head.append(h("link", {id: "admin-css", rel: "stylesheet",
    href: "/console/static/screens/admin/admin.css"}));
}

/** The screen's frame: a title, a toolbar and a body; returns {root, body, bar}. */
export function frame(element, title, ...tools) {
  useStyles();
  const bar = h("div", {class: "admin-bar"}, tools);
  const body = h("div", {class: "admin-body"}, h("p", {class: "muted"}, t("admin.loading")));
  const root = h("section", {class: "admin"}, h("div", {class: "admin-head"},
    h("h1", {}, title), bar), body);
  fill(element, root);
  return {root, body, bar};
}

/** A labelled field; `name` is the API's field path its 422 errors are shown under. */
export function field(label, input, name, hint) {
  if (name && !input.name) input.name = name;
  if (!input.id) input.id = `f-${Math.random().toString(36).slice(2, 10)}`;
  return h("div", {class: "field", dataset: {field: name || ""}},
    h("label", {for: input.id}, label),
    input,
    hint ? h("small", {class: "muted"}, hint) : null,
    h("small", {class: "field-error", role: "alert"}));
}

export const input = (attrs = {}) => h("input", {type: "text", ...attrs});
export const number = (attrs = {}) => h("input", {type: "number", ...attrs});
export const checkbox = (checked, attrs = {}) => h("input", {type: "checkbox", checked, ...attrs});
export const textarea = (attrs = {}) => h("textarea", {rows: 3, ...attrs});

/** "a, b ,c" → ["a", "b", "c"]; empty → []. */
export const parseList = (text) => String(text || "").split(",").map((s) => s.trim())
  .filter(Boolean);
export const showList = (list) => (list || []).join(", ");

/** An integer input's value: null when empty (the API then keeps or clears it). */
export function intOrNull(el) {
  const text = el.value.trim();
  return text === "" ? null : Number.parseInt(text, 10);
}

export function floatOrNull(el) {
  const text = el.value.trim();
  return text === "" ? null : Number.parseFloat(text);
}

/** Checkboxes of a fixed list: returns {el, value()} with the ticked ones. */
export function checkList(options, chosen = [], label = (o) => o) {
  const boxes = options.map((o) => h("input", {type: "checkbox", value: o,
    checked: chosen.includes(o)}));
  const el = h("div", {class: "checks"}, options.map((o, i) => h("label", {}, boxes[i], label(o))));
  return {el, value: () => boxes.filter((b) => b.checked).map((b) => b.value)};
}

/** Clear the error slots of a form. */
export function clearProblems(form) {
  for (const slot of form.querySelectorAll(".field-error")) slot.textContent = "";
  for (const box of form.querySelectorAll(".field.invalid")) box.classList.remove("invalid");
  form.querySelector(":scope > .form-error")?.remove();
}

// The field box for an API path: the longest [data-field] prefix of it
// ("escalation.0.after_seconds" → "escalation.0.after_seconds", else "escalation.0", ...).
// A bare name the router's own checks use ("min_intensity") matches "conditions.min_intensity".
function boxFor(form, path) {
  const boxes = [...form.querySelectorAll("[data-field]")];
  const parts = String(path || "").replace(/\[(\d+)\]/g, ".$1").split(".").filter(Boolean);
  for (let n = parts.length; n > 0; n -= 1) {
    const name = parts.slice(0, n).join(".");
    const box = boxes.find((b) => b.dataset.field === name)
      || boxes.find((b) => b.dataset.field.endsWith(`.${name}`));
    if (box) return box;
  }
  return null;
}

/** Put an ApiError's problem next to the fields it names (its `errors`, or its `field`),
 * and anything it cannot place at the top of the form. */
export function showProblems(form, error) {
  clearProblems(form);
  const problem = error?.problem || {};
  const items = problem.errors?.length ? problem.errors
    : [{field: problem.field, message: error?.detail || String(error)}];
  const unplaced = [];
  for (const item of items) {
    const box = boxFor(form, item.field);
    const slot = box?.querySelector(".field-error");
    if (slot) {
      slot.textContent = slot.textContent ? `${slot.textContent}; ${item.message}` : item.message;
      box.classList.add("invalid");
    } else unplaced.push(item.field ? `${item.field}: ${item.message}` : item.message);
  }
  const summary = unplaced.length ? unplaced.join("; ") : error?.detail || "";
  form.prepend(h("p", {class: "form-error error", role: "alert"},
    t("admin.fixFields", {detail: summary})));
  form.querySelector(".field.invalid input, .field.invalid select, .field.invalid textarea")
    ?.focus();
}

/** Offer a JSON document as a file download. */
export function downloadJson(name, data) {
  const blob = new Blob([`${JSON.stringify(data, null, 2)}\n`], {type: "application/json"});
  const url = URL.createObjectURL(blob);
  const link = h("a", {href: url, download: name, class: "hidden"});
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Read a chosen file as JSON (throws with the parser's message when it is not). */
export async function readJsonFile(file) {
  return JSON.parse(await file.text());
}

/** A random password shown once to the admin (the API stores only its hash). */
export function generatePassword() {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}

/** A value shown once with a copy button (secrets, passwords). */
export function secretBox(value, note) {
  const code = h("code", {class: "secret"}, value);
  const copy = h("button", {type: "button", onclick: () => navigator.clipboard?.writeText(value)
    .catch(() => null)}, "⧉");
  return h("div", {class: "secret-box"}, h("p", {class: "warning"}, note), h("div", {}, code, copy));
}

/** yes / no in the user's language. */
export const yesNo = (value) => (value ? t("admin.yes") : t("admin.no"));

/** A modal form that stays open while the API refuses it: `save(form)` runs on submit;
 * an error is shown next to its fields; resolves to save's result, or null when closed. */
export function formDialog(title, content, save, label = t("admin.save")) {
  return new Promise((resolve) => {
    const form = h("form", {class: "dialog-body admin-form", novalidate: true},
      h("h2", {}, title), content,
      h("div", {class: "bar end"},
        h("button", {type: "button", onclick: () => close(null)}, t("admin.cancel")),
        h("button", {type: "submit", class: "primary"}, label)));
    const box = h("dialog", {class: "modal admin-dialog"}, form);
    const close = (value) => { box.close(); box.remove(); resolve(value); };
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (form.getAttribute("aria-busy")) return;
      form.setAttribute("aria-busy", "true");
      try {
        const result = await save(form);
        close(result ?? true);
      } catch (error) {
        showProblems(form, error);
      } finally { form.removeAttribute("aria-busy"); }
    });
    box.addEventListener("cancel", (event) => { event.preventDefault(); close(null); });
    document.body.append(box);
    useStyles();
    box.showModal();
  });
}

/** Ask a yes/no question in a modal; true when confirmed. */
export function confirmed(question, label = t("admin.confirm")) {
  return new Promise((resolve) => {
    const box = h("dialog", {class: "modal admin-dialog"}, h("form", {class: "dialog-body"},
      h("p", {}, question), h("div", {class: "bar end"},
        h("button", {type: "button", onclick: () => done(false)}, t("admin.cancel")),
        h("button", {type: "button", class: "primary", onclick: () => done(true)}, label))));
    const done = (value) => { box.close(); box.remove(); resolve(value); };
    box.addEventListener("cancel", (event) => { event.preventDefault(); done(false); });
    document.body.append(box);
    box.showModal();
  });
}
