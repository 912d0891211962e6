// Small shared helpers. Server text only ever becomes text nodes or attribute values:
// nothing here parses HTML.
import {t} from "./i18n.js";

const nodes = (list) => list.flat(4).filter((c) => c != null && c !== false && c !== "");

/** `h("button", {class: "x", onclick: fn, "aria-label": "..."}, "text", child)`. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "value" || key === "checked" || key === "selected") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  el.append(...nodes(children));
  return el;
}

/** Replace an element's children. */
export function fill(target, ...children) {
  target.replaceChildren(...nodes(children));
  return target;
}

export const pill = (text, cls = "") => (text == null || text === "" ? null
  : h("span", {class: `pill ${cls}`.trim()}, String(text)));

/** A table: `table([t("name"), ...], rows)`; rows are <tr> elements. */
export function table(head, rows, attrs = {}) {
  return h("table", attrs, h("thead", {}, h("tr", {}, head.map((c) => h("th", {scope: "col"}, c)))),
    h("tbody", {}, rows));
}

export const row = (...cells) => h("tr", {}, cells.map((c) => h("td", {}, c)));

/** A line saying there is nothing, as a list item or a paragraph. */
export const empty = (text, tag = "p") => h(tag, {class: "muted empty"}, text);

let toastTimer = null;

/** A short message in the page's status line (errors stay until the next one). */
export function toast(message, kind = "ok") {
  const box = document.getElementById("flash");
  if (!box) return;
  box.textContent = message;
  box.className = kind;
  clearTimeout(toastTimer);
  if (kind !== "error") toastTimer = setTimeout(() => { box.textContent = ""; }, 5000);
}

/** Show an error's `.detail` (ApiError) or message. */
export const toastError = (error) => toast(error?.detail || error?.message || String(error), "error");

/** A modal <dialog>: `content` nodes; `actions` [{label, value, primary}]; resolves to
 * the chosen value (or null when dismissed). A form inside is submitted by the primary. */
export function dialog(title, content, actions = [{label: t("ui.close"), value: null}]) {
  return new Promise((resolve) => {
    const buttons = actions.map((a) => h("button", {type: a.primary ? "submit" : "button",
      value: a.value ?? "", class: a.primary ? "primary" : "",
      onclick: a.primary ? null : () => close(a.value ?? null)}, a.label));
    const form = h("form", {method: "dialog", class: "dialog-body"},
      h("h2", {}, title), content, h("div", {class: "bar end"}, buttons));
    const box = h("dialog", {class: "modal"}, form);
    const close = (value) => { box.close(); box.remove(); resolve(value); };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      close(actions.find((a) => a.primary)?.value ?? true);
    });
    box.addEventListener("cancel", (event) => { event.preventDefault(); close(null); });
    document.body.append(box);
    box.showModal();
  });
}

/** Ask before doing something that cannot be undone. */
export async function confirmAction(question, label = t("ui.confirm")) {
  const answer = await dialog(question, h("p", {}, ""), [
    {label: t("ui.cancel"), value: null}, {label, value: "yes", primary: true}]);
  return answer === "yes";
}

/** Disable a form (or any container) while `work` runs: a double click acts once. */
export async function busy(form, work) {
  if (form.getAttribute("aria-busy")) return undefined;
  const controls = [...form.querySelectorAll("button, input, textarea, select")]
    .filter((c) => !c.disabled);
  controls.forEach((c) => { c.disabled = true; });
  form.setAttribute("aria-busy", "true");
  try { return await work(); } finally {
    controls.forEach((c) => { c.disabled = false; });
    form.removeAttribute("aria-busy");
  }
}

/** Run `load`; on failure show the error inside `target` instead of failing silently. */
export async function into(target, load) {
  try { await load(); } catch (error) {
    fill(target, h("span", {class: "error"}, error?.detail || error?.message || String(error)));
  }
}

/** Only the latest call of a kind may render: older answers arriving late are dropped. */
export function latest() {
  let n = 0;
  return () => { const mine = ++n; return () => mine === n; };
}

/** Call `fn` once things settle: at most once per `ms` (live refreshes). */
export function debounce(fn, ms = 400) {
  let timer = null;
  const run = (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  run.cancel = () => clearTimeout(timer);
  return run;
}

/** `<select>` of [value, label] pairs. */
export function select(attrs, pairs, chosen) {
  return h("select", attrs, pairs.map(([value, label]) => h("option",
    {value: String(value), selected: String(value) === String(chosen ?? "")}, label)));
}
