// Start-up: read the script tag's data attributes, mount the widget in a Shadow DOM (the
// host page's CSS cannot reach in, ours cannot leak out), resume a saved chat, wire events.
const script = document.currentScript;
const SURVEY_LINK = /\/v1\/csat\/([A-Za-z0-9_-]{20,100})/;

function configure(tag) {
  const data = tag?.dataset || {};
  const base = (data.server || new URL(".", tag?.src || location.href).href).replace(/\/$/, "");
  const lang = pickLanguage(data.lang);
  return {
    base,
    lang,
    title: data.title || STRINGS[lang].title,
    color: data.color && CSS.supports("color", data.color) ? data.color : null,
    position: data.position === "left" ? "left" : "right",
    open: data.open === "true",
  };
}

class Widget {
  constructor(config) {
    this.config = config;
    this.t = translator(config.lang);
    const host = document.createElement("div");
    host.id = "aiguillage-chat";
    if (config.color) host.style.setProperty("--ag-accent", config.color);
    const root = host.attachShadow({ mode: "open" });
    const style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = `${config.base}/widget.css`;
    root.append(style);
    this.view = new ChatView(root, config, this.t);
    this.client = new ChatClient(config.base, `aiguillage-chat:${config.base}`, {
      frame: (frame) => this.frame(frame),
      state: (state) => this.state(state),
    });
    this.pending = new Map(); // message id -> body, until the feed shows it
    this.wire();
    document.body.append(host);
  }

  wire() {
    const v = this.view;
    v.launcher.addEventListener("click", () => this.toggle());
    v.closer.addEventListener("click", () => this.close());
    v.panel.addEventListener("keydown", (event) => event.key === "Escape" && this.close());
    v.startForm.addEventListener("submit", (event) => this.begin(event));
    v.leaveForm.addEventListener("submit", (event) => this.leave(event));
    v.leaveInstead.addEventListener("click", () => this.toLeave());
    v.offerButton.addEventListener("click", () => this.toLeave());
    v.leaveBack.addEventListener("click", () => v.screen(this.client.session ? "chat" : "start"));
    v.again.addEventListener("click", () => this.writeAgain());
    v.composer.addEventListener("submit", (event) => this.write(event));
    v.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) this.write(event);
    });
    v.attach.addEventListener("click", () => v.file.click());
    v.file.addEventListener("change", () => this.sendFile());
    v.log.addEventListener("click", (event) => {
      const file = event.target.closest?.(".ag-download");
      if (file) return this.download(file.dataset.url, file.dataset.name);
      const failed = event.target.closest?.(".ag-msg[data-state=failed]");
      if (failed) this.retry(failed);
    });
  }

  toggle() {
    this.view.setOpen(!this.view.isOpen);
    if (this.view.isOpen) this.markRead();
  }

  close() {
    this.view.setOpen(false);
    this.view.launcher.focus();
  }

  // What the visitor has seen (kept with the session: a reload does not count it again).
  markRead() {
    if (this.client.session && this.client.after > (this.client.session.read || 0)) {
      this.client.save({ read: this.client.after });
    }
  }

  async resume() {
    const saved = this.client.session;
    if (!saved) {
      this.view.screen("start");
      return;
    }
    this.view.screen(saved.left ? "left" : "chat");
    if (saved.left) this.view.doneText.textContent = this.t("leftDone", { email: saved.left });
    try {
      await this.client.start({}); // a fresh token for the same visitor
    } catch (error) {
      this.client.forget();
      this.view.screen("start");
      return;
    }
    this.client.connect();
  }

  async begin(event) {
    event.preventDefault();
    const v = this.view;
    const text = v.startText.value.trim();
    if (!text) return;
    await this.guard(async () => {
      await this.client.start({ name: v.startName.value.trim(),
        email: v.startEmail.value.trim() || null, left: null });
      v.screen("chat");
      this.client.connect();
      await this.post({ text });
      v.startText.value = "";
      v.input.focus();
    });
  }

  toLeave() {
    const v = this.view;
    v.leaveName.value = this.client.session?.name || v.startName.value;
    v.leaveEmail.value = this.client.session?.email || v.startEmail.value;
    v.screen("leave");
    v.leaveName.focus();
  }

  async leave(event) {
    event.preventDefault();
    const v = this.view;
    const email = v.leaveEmail.value.trim();
    await this.guard(async () => {
      if (!this.client.session) await this.client.start({});
      this.client.save({ name: v.leaveName.value.trim(), email });
      await this.client.request("POST", "/v1/chat/messages", { body: {
        id: this.client.messageId(), text: v.leaveText.value.trim(),
        name: this.client.session.name, email, reply_by: "email",
        page_url: location.href.slice(0, 2000) } });
      this.client.save({ left: email });
      v.doneText.textContent = this.t("leftDone", { email });
      v.screen("left");
      v.leaveText.value = "";
    });
  }

  writeAgain() {
    this.client.save({ left: null });
    this.view.screen("chat");
    this.client.connect();
    this.view.input.focus();
  }

  async write(event) {
    event.preventDefault();
    const text = this.view.input.value.trim();
    if (!text) return;
    this.view.input.value = "";
    await this.post({ text });
  }

  // Shown at once as "sending", confirmed when the feed brings it back (same id).
  async post(body) {
    const id = this.client.messageId();
    this.pending.set(id, body);
    this.view.message({ id, author: "visitor", text: body.text, attachments: [] }, "sending");
    try {
      await this.client.send({ id, ...body });
    } catch (error) {
      this.view.message({ id }, "failed");
    }
  }

  async retry(element) {
    const [id, body] = [...this.pending].find(([key]) => this.view.shown.get(key) === element)
      || [];
    if (!id) return;
    this.view.message({ id }, "sending");
    try {
      await this.client.send({ id, ...body });
    } catch (error) {
      this.view.message({ id }, "failed");
    }
  }

  async sendFile() {
    const file = this.view.file.files[0];
    this.view.file.value = "";
    if (!file) return;
    const problem = this.client.checkFile(file);
    if (problem) {
      this.view.say(this.t(problem, { size: sizeText(this.config.lang, MAX_FILE_BYTES) }));
      return;
    }
    const id = this.client.messageId();
    const shown = { filename: file.name };
    this.view.message({ id, author: "visitor", text: "", attachments: [shown] }, "sending");
    try {
      await this.client.upload(file, id);
    } catch (error) {
      this.view.message({ id }, "failed");
      this.view.say(this.t(error.status === 413 ? "fileTooBig" : "fileFailed",
        { size: sizeText(this.config.lang, MAX_FILE_BYTES) }));
    }
  }

  // The file comes with the visitor's token (never in the address), then is saved.
  async download(url, name) {
    try {
      const blob = await this.client.download(url);
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    } catch (error) {
      this.view.say(this.t("downloadFailed"));
    }
  }

  frame(frame) {
    if (frame.type === "queue") this.view.queue(frame);
    else if (frame.type === "error" && frame.id) this.view.message({ id: frame.id }, "failed");
    else if (frame.type === "message") this.show(frame);
  }

  show(frame) {
    this.pending.delete(frame.id);
    const survey = frame.purpose === "csat" && SURVEY_LINK.exec(frame.text || "");
    if (survey && !this.view.shown.has(frame.id)) {
      const card = this.view.survey(frame, (score, comment) => this.rate(survey[1], score,
        comment));
      this.client.surveyState(survey[1]).then((state) => {
        if (state?.answered) this.view.surveyDone(card); // answered before a reload
      }, () => {}); // unknown or expired: the form says so when sent
    } else {
      this.view.message(frame, "");
    }
    if (this.view.isOpen) this.markRead();
    else if (frame.author === "agent" && frame.seq > (this.client.session?.read || 0)) {
      this.view.notifyUnread();
    }
  }

  async rate(token, score, comment) {
    return this.guard(async () => {
      await this.client.answerSurvey(token, score, comment);
      return true;
    }, (error) => error.status === 409);
  }

  state(state) {
    if (state === "reconnecting") this.view.say(this.t("reconnecting"));
    else if (state === "open" && this.view.status.textContent === this.t("reconnecting")) {
      this.view.say("");
    } else if (state === "expired") {
      this.view.screen("start");
      this.view.say(this.t("expired"));
    }
  }

  // Runs an action; a failure is told to the visitor (true when ``done(error)`` says it is
  // fine after all, e.g. a survey answered from another tab).
  async guard(action, done) {
    try {
      return await action();
    } catch (error) {
      if (done?.(error)) return true;
      this.view.say(error instanceof ApiError ? `${this.t("error")} (${error.message})`
        : this.t("error"));
      return false;
    }
  }
}

function mount() {
  const widget = new Widget(configure(script));
  widget.resume();
  if (widget.config.open) widget.toggle();
}

if (document.body) mount();
else document.addEventListener("DOMContentLoaded", mount);
