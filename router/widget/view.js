// The widget's DOM, inside its Shadow DOM: the launcher, the panel and its screens (start,
// chat, leave a message, left), the message log (aria-live) and the survey card. Text is
// always set as text, never parsed as HTML.
function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "text") element.textContent = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

function field(label, control) {
  return h("label", { class: "ag-field" }, h("span", { text: label }), control);
}

class ChatView {
  constructor(root, config, t) {
    this.t = t;
    this.config = config;
    this.shown = new Map(); // widget message id -> element
    this.build(root);
  }

  build(root) {
    const t = this.t;
    this.badge = h("span", { class: "ag-badge", hidden: true, "aria-hidden": "true" });
    this.launcher = h(
      "button",
      { class: "ag-launcher", type: "button", "aria-expanded": "false",
        "aria-controls": "ag-panel", "aria-label": t("open") },
      h("span", { class: "ag-icon", "aria-hidden": "true" }),
      this.badge,
    );
    this.closer = h("button", { class: "ag-close", type: "button", "aria-label": t("close"),
      text: "×" });
    this.status = h("p", { class: "ag-status", role: "status", "aria-live": "polite" });
    this.offerText = h("span");
    this.offerButton = h("button", { class: "ag-link", type: "button", text: t("offerLeave") });
    this.offer = h("div", { class: "ag-offer", hidden: true }, this.offerText, this.offerButton);
    this.startForm = this.buildStart();
    this.log = h("div", { class: "ag-log", role: "log", "aria-live": "polite",
      "aria-label": t("log"), tabindex: "0" });
    this.leaveForm = this.buildLeave();
    this.doneText = h("p");
    this.again = h("button", { class: "ag-link", type: "button", text: t("writeAgain") });
    this.done = h("div", { class: "ag-done", hidden: true }, this.doneText, this.again);
    this.composer = this.buildComposer();
    this.panel = h(
      "section",
      { id: "ag-panel", class: "ag-panel", role: "dialog", "aria-label": this.config.title,
        hidden: true },
      h("header", { class: "ag-header" }, h("h2", { text: this.config.title }), this.closer),
      this.status,
      this.offer,
      h("div", { class: "ag-body" }, this.startForm, this.log, this.leaveForm, this.done),
      this.composer,
    );
    root.append(h("div", { class: `ag-root ag-${this.config.position}` }, this.panel,
      this.launcher));
  }

  buildStart() {
    const t = this.t;
    this.startName = h("input", { name: "name", required: true, maxlength: "200",
      autocomplete: "name" });
    this.startEmail = h("input", { name: "email", type: "email", maxlength: "320",
      autocomplete: "email" });
    this.startText = h("textarea", { name: "text", required: true, rows: "3",
      maxlength: "10000" });
    this.leaveInstead = h("button", { class: "ag-link", type: "button", text: t("leaveInstead") });
    return h("form", { class: "ag-start" },
      h("p", { text: t("intro") }),
      field(t("name"), this.startName),
      field(t("email"), this.startEmail),
      field(t("question"), this.startText),
      h("button", { class: "ag-primary", type: "submit", text: t("start") }),
      this.leaveInstead);
  }

  buildLeave() {
    const t = this.t;
    this.leaveName = h("input", { name: "name", required: true, maxlength: "200",
      autocomplete: "name" });
    this.leaveEmail = h("input", { name: "email", type: "email", required: true,
      maxlength: "320", autocomplete: "email" });
    this.leaveText = h("textarea", { name: "text", required: true, rows: "4",
      maxlength: "10000" });
    this.leaveBack = h("button", { class: "ag-link", type: "button", text: t("back") });
    return h("form", { class: "ag-leave", hidden: true },
      h("h3", { text: t("leaveTitle") }),
      h("p", { text: t("leaveIntro") }),
      field(t("name"), this.leaveName),
      field(t("emailRequired"), this.leaveEmail),
      field(t("question"), this.leaveText),
      h("button", { class: "ag-primary", type: "submit", text: t("leaveSend") }),
      this.leaveBack);
  }

  buildComposer() {
    const t = this.t;
    this.input = h("textarea", { class: "ag-input", rows: "2", maxlength: "10000",
      "aria-label": t("compose"), placeholder: t("compose") });
    this.file = h("input", { type: "file", class: "ag-file", accept: FILE_TYPES.join(","),
      tabindex: "-1", "aria-hidden": "true" });
    this.attach = h("button", { class: "ag-attach", type: "button", "aria-label": t("attach"),
      title: t("attach") });
    return h("form", { class: "ag-composer", hidden: true }, this.input, this.file,
      this.attach, h("button", { class: "ag-send", type: "submit", text: t("send") }));
  }

  // One of: start, chat, leave, left.
  screen(name) {
    this.startForm.hidden = name !== "start";
    this.log.hidden = name !== "chat" && name !== "left";
    this.composer.hidden = name !== "chat";
    this.leaveForm.hidden = name !== "leave";
    this.done.hidden = name !== "left";
    if (name !== "chat") this.offer.hidden = true;
    this.current = name;
  }

  get isOpen() {
    return !this.panel.hidden;
  }

  setOpen(open) {
    this.panel.hidden = !open;
    this.launcher.setAttribute("aria-expanded", String(open));
    this.launcher.setAttribute("aria-label", this.t(open ? "close" : "open"));
    if (open) {
      this.badge.hidden = true;
      this.unread = 0;
      const first = this.panel.querySelector(
        ".ag-body form:not([hidden]) input, .ag-composer:not([hidden]) textarea");
      (first || this.closer).focus();
    }
  }

  notifyUnread() {
    this.unread = (this.unread || 0) + 1;
    this.badge.textContent = String(this.unread);
    this.badge.hidden = false;
  }

  // A message frame (or the local echo of one being sent): shown once, updated in place.
  message(frame, state) {
    const mine = frame.author === "visitor";
    const existing = this.shown.get(frame.id);
    if (existing) {
      existing.dataset.state = state || "";
      existing.querySelector(".ag-note").textContent = this.note(state);
      // The service's copy of a file just sent: from now on it can be downloaded.
      if ((frame.attachments || []).some((file) => file.url)) {
        existing.querySelector(".ag-files")?.replaceWith(this.files(frame.attachments));
      }
      return existing;
    }
    const who = mine ? this.t("you") : frame.author_name || this.t("advisor");
    const files = frame.attachments?.length ? this.files(frame.attachments) : null;
    const element = h("div",
      { class: `ag-msg ag-${mine ? "visitor" : "agent"}`, "data-state": state || "" },
      h("span", { class: "ag-who", text: who }),
      frame.text ? h("p", { class: "ag-text", text: frame.text }) : null,
      files,
      h("span", { class: "ag-note", text: this.note(state) }));
    this.shown.set(frame.id, element);
    this.append(element);
    return element;
  }

  // A message's files: a download button for each file the service keeps (its url).
  files(attachments) {
    return h("ul", { class: "ag-files" }, ...attachments.map((file) => {
      const name = file.filename || "file";
      return h("li", { class: "ag-attachment" }, file.url
        ? h("button", { type: "button", class: "ag-download", "data-url": file.url,
          "data-name": name, title: this.t("download", { name }), text: name })
        : name);
    }));
  }

  note(state) {
    if (state === "sending") return this.t("sending");
    if (state === "failed") return this.t("failed");
    return "";
  }

  append(element) {
    this.log.append(element);
    this.log.scrollTop = this.log.scrollHeight;
  }

  say(text) {
    this.status.textContent = text || "";
  }

  queue(frame) {
    const t = this.t;
    if (frame.position === null || frame.position === undefined) {
      this.say(""); // out of the queue: taken (the advisor's reply will show), or closed
      this.offer.hidden = true;
      return;
    }
    const position = ordinal(this.config.lang, frame.position);
    const wait = waitText(t, frame.estimated_wait_seconds);
    this.say(wait ? t("queued", { position, wait }) : t("queuedNoWait", { position }));
    const reason = frame.leave_message;
    this.offer.hidden = !reason;
    if (reason) this.offerText.textContent = t(reason === "outside_hours" ? "offerHours" : "offerWait");
  }

  survey(frame, onAnswer) {
    const t = this.t;
    let score = 0;
    const buttons = [1, 2, 3, 4, 5].map((value) =>
      h("button", { type: "button", class: "ag-star", "aria-pressed": "false",
        "aria-label": t("surveyScore", { score: value }), text: "★",
        onclick: () => {
          score = value;
          buttons.forEach((b, i) => b.setAttribute("aria-pressed", String(i < value)));
        } }));
    const comment = h("textarea", { rows: "2", maxlength: "1000",
      "aria-label": t("surveyComment"), placeholder: t("surveyComment") });
    const card = h("form", { class: "ag-survey" },
      h("p", { text: t("surveyAsk") }),
      h("div", { class: "ag-stars", role: "group", "aria-label": t("surveyAsk") }, ...buttons),
      comment,
      h("button", { class: "ag-primary", type: "submit", text: t("surveySend") }));
    card.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!score) return buttons[0].focus();
      if (await onAnswer(score, comment.value.trim())) {
        this.surveyDone(card).focus(); // the button that had the focus is gone
      }
    });
    this.shown.set(frame.id, card);
    this.append(card);
    return card;
  }

  surveyDone(card) {
    const thanks = h("p", { text: this.t("surveyThanks"), tabindex: "-1" });
    card.replaceChildren(thanks);
    return thanks;
  }
}
