// The reply box's files: an attach button, the chosen files with a remove button each, and
// their bytes base64-encoded for the reply's `attachments` (the server checks types and sizes
// and says why it refuses one).
import {fill, h} from "../../ui.js";
import {t} from "../../i18n.js";

/** Channels whose replies carry files (as the server's router.replies.files says). */
export const SENDS_FILES = new Set(["email", "chat", "whatsapp", "messenger"]);
const ACCEPT = ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf",
  "text/plain", "text/csv", ".docx", ".xlsx", ".odt"].join(",");
const MAX_FILES = 5;

function base64Of(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** The attach control; `files()` gives the attachments of the reply, `clear()` empties it;
 * `changed()` is told when the choice changes (a new choice is a new reply: a new key). */
export function replyFiles({changed = () => {}} = {}) {
  let chosen = [];
  const input = h("input", {type: "file", id: "reply-files", multiple: true, accept: ACCEPT,
    hidden: true, "aria-label": t("conv.attach")});
  const list = h("ul", {class: "plain line", id: "reply-file-list", "aria-live": "polite"});
  const button = h("button", {type: "button", id: "reply-attach", title: t("conv.attach_help"),
    onclick: () => input.click()}, t("conv.attach"));

  function show() {
    fill(list, chosen.map((file, i) => h("li", {class: "chip"}, file.name, h("button", {
      type: "button", class: "x", "aria-label": t("conv.attach_remove", {name: file.name}),
      onclick: () => { chosen.splice(i, 1); show(); }}, "×"))));
    button.disabled = chosen.length >= MAX_FILES;
    changed();
  }
  input.addEventListener("change", () => {
    chosen = [...chosen, ...input.files].slice(0, MAX_FILES);
    input.value = "";
    show();
  });

  return {
    element: h("span", {class: "line"}, button, input, list),
    count: () => chosen.length,
    files: () => Promise.all(chosen.map(async (file) => ({filename: file.name,
      content_type: file.type || "application/octet-stream", content: await base64Of(file)}))),
    clear: () => { chosen = []; show(); },
  };
}
