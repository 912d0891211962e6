// Demo mode only (AIGUILLAGE_DEMO): send a message as a customer would.
import {busy, h, toast, toastError} from "../../ui.js";
import {t} from "../../i18n.js";

export function demoBox({api}) {
  const channel = h("select", {id: "demo-channel", "aria-label": t("inbox.channel")},
    ["chat", "email", "whatsapp", "messenger", "instagram", "x", "api"].map((c) => h("option", {}, c)));
  const sender = h("input", {id: "demo-sender", value: "visitor-1", required: true, "aria-label": t("demo.sender")});
  const text = h("textarea", {id: "demo-text", required: true, "aria-label": t("demo.title")},
    "Bonjour, ma facture de novembre est fausse, je suis débité deux fois.");
  const form = h("form", {id: "demo-send", class: "bar"}, channel, sender, text, h("button", {}, t("demo.send")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form, async () => {
      try {
        await api("POST", "/v1/messages", {channel: channel.value, external_id: `console-${Date.now()}`,
          sender: {id: sender.value}, text: text.value});
        toast(t("demo.sent"));
      } catch (error) { toastError(error); }
    });
  });
  return h("details", {class: "card", id: "demo"}, h("summary", {}, t("demo.title")), form);
}
