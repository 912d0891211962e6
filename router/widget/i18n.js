// Words of the widget in English and French; the language is the page's data-lang, else
// the browser's (French for any fr-* locale, English otherwise).
const STRINGS = {
  en: {
    title: "Chat with us",
    open: "Open the chat",
    close: "Close the chat",
    intro: "Hello! Leave your name and your question: an advisor will answer here.",
    name: "Your name",
    email: "E-mail (optional)",
    emailRequired: "E-mail",
    question: "Your message",
    start: "Start the chat",
    leaveInstead: "Leave a message instead",
    log: "Conversation",
    compose: "Write a message",
    send: "Send",
    attach: "Send a file",
    you: "You",
    advisor: "Advisor",
    sending: "sending…",
    failed: "not sent, click to retry",
    queued: "You are {position} in the queue, {wait}.",
    queuedNoWait: "You are {position} in the queue: an advisor will be with you shortly.",
    waitAbout: "about {minutes} minutes",
    waitMinute: "about a minute",
    waitUnder: "less than a minute",
    offerHours: "We are closed right now.",
    offerWait: "Our advisors are all busy.",
    offerLeave: "Leave a message: we will answer by e-mail.",
    leaveTitle: "Leave us a message",
    leaveIntro: "Nobody can answer live right now: we will reply to your e-mail address.",
    leaveSend: "Send the message",
    leftDone: "Thank you! We will answer you by e-mail at {email}.",
    back: "Back to the chat",
    writeAgain: "Write to us again",
    reconnecting: "Connection lost, reconnecting…",
    expired: "Your chat session has expired: start a new one.",
    fileTooBig: "This file is too large (at most {size}).",
    fileType: "This kind of file cannot be sent (images, PDF or text only).",
    fileFailed: "The file could not be sent.",
    download: "Download {name}",
    downloadFailed: "The file could not be downloaded; try again.",
    surveyAsk: "How would you rate this conversation?",
    surveyScore: "{score} out of 5",
    surveyComment: "A comment (optional)",
    surveySend: "Send my rating",
    surveyThanks: "Thank you for your rating!",
    error: "Something went wrong, please try again.",
    newMessages: "{count} new messages",
  },
  fr: {
    title: "Discutons",
    open: "Ouvrir la discussion",
    close: "Fermer la discussion",
    intro: "Bonjour ! Indiquez votre nom et votre question : un conseiller vous répondra ici.",
    name: "Votre nom",
    email: "E-mail (facultatif)",
    emailRequired: "E-mail",
    question: "Votre message",
    start: "Commencer la discussion",
    leaveInstead: "Laisser plutôt un message",
    log: "Conversation",
    compose: "Écrire un message",
    send: "Envoyer",
    attach: "Envoyer un fichier",
    you: "Vous",
    advisor: "Conseiller",
    sending: "envoi…",
    failed: "non envoyé, cliquez pour réessayer",
    queued: "Vous êtes {position} dans la file, {wait}.",
    queuedNoWait: "Vous êtes {position} dans la file : un conseiller va vous répondre.",
    waitAbout: "environ {minutes} minutes",
    waitMinute: "environ une minute",
    waitUnder: "moins d'une minute",
    offerHours: "Nous sommes fermés en ce moment.",
    offerWait: "Nos conseillers sont tous occupés.",
    offerLeave: "Laissez un message : nous vous répondrons par e-mail.",
    leaveTitle: "Laissez-nous un message",
    leaveIntro: "Personne ne peut répondre en direct : nous répondrons à votre adresse e-mail.",
    leaveSend: "Envoyer le message",
    leftDone: "Merci ! Nous vous répondrons par e-mail à {email}.",
    back: "Retour à la discussion",
    writeAgain: "Nous écrire à nouveau",
    reconnecting: "Connexion perdue, reconnexion…",
    expired: "Votre session a expiré : commencez une nouvelle discussion.",
    fileTooBig: "Ce fichier est trop gros ({size} au plus).",
    fileType: "Ce type de fichier ne peut pas être envoyé (images, PDF ou texte seulement).",
    fileFailed: "Le fichier n'a pas pu être envoyé.",
    download: "Télécharger {name}",
    downloadFailed: "Le fichier n'a pas pu être téléchargé ; réessayez.",
    surveyAsk: "Comment évaluez-vous cette conversation ?",
    surveyScore: "{score} sur 5",
    surveyComment: "Un commentaire (facultatif)",
    surveySend: "Envoyer ma note",
    surveyThanks: "Merci pour votre note !",
    error: "Une erreur s'est produite, veuillez réessayer.",
    newMessages: "{count} nouveaux messages",
  },
};

function pickLanguage(asked) {
  const wanted = (asked || navigator.language || "en").toLowerCase();
  return wanted.startsWith("fr") ? "fr" : "en";
}

function translator(lang) {
  const words = STRINGS[lang];
  return (key, values) =>
    words[key].replace(/\{(\w+)\}/g, (_, name) => String(values?.[name] ?? ""));
}

// "3rd" / "3e" ("1er" for the first in French).
function ordinal(lang, n) {
  if (lang === "fr") return n === 1 ? "1er" : `${n}e`;
  const rule = new Intl.PluralRules("en", { type: "ordinal" }).select(n);
  return n + ({ one: "st", two: "nd", few: "rd" }[rule] || "th");
}

// The wait announced to the visitor, e.g. "about 2 minutes"; null when not known.
function waitText(t, seconds) {
  if (seconds === null || seconds === undefined) return null;
  if (seconds < 45) return t("waitUnder");
  const minutes = Math.round(seconds / 60);
  return minutes <= 1 ? t("waitMinute") : t("waitAbout", { minutes });
}

function sizeText(lang, bytes) {
  const megabytes = bytes / (1024 * 1024);
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(megabytes)} MB`;
}
