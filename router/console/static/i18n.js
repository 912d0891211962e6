// French and English: each screen registers its strings; dates, numbers and durations
// through Intl in the user's locale (the browser's, switchable, kept in localStorage).
const KEY = "aiguillage-locale";
export const LOCALES = ["en", "fr"];
const catalog = {en: {}, fr: {}};
const listeners = new Set();

function initial() {
  const saved = localStorage.getItem(KEY);
  if (LOCALES.includes(saved)) return saved;
  const browser = (navigator.languages || [navigator.language || "en"])
    .map((l) => l.slice(0, 2).toLowerCase()).find((l) => LOCALES.includes(l));
  return browser || "en";
}

let current = initial();
document.documentElement.lang = current;

export const locale = () => current;

/** The full locale for Intl: the browser's own when it speaks the chosen language
 * (fr-CA keeps its formats), else the language alone. */
function intlLocale() {
  const browser = navigator.language || "";
  return browser.toLowerCase().startsWith(current) ? browser : current;
}

export function setLocale(value) {
  if (!LOCALES.includes(value) || value === current) return;
  current = value;
  localStorage.setItem(KEY, value);
  document.documentElement.lang = value;
  for (const listener of listeners) listener(value);
}

export function onLocaleChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Add strings: `register({en: {"queue.title": "My queue"}, fr: {...}})`. */
export function register(messages) {
  for (const lang of LOCALES) Object.assign(catalog[lang], messages[lang] || {});
}

/** The string for `key` in the current language ({name} placeholders from `vars`);
 * English when the translation is missing, the key itself when both are. */
export function t(key, vars = {}) {
  const text = catalog[current][key] ?? catalog.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** Day, month and year with the time: "2 déc. 2026, 14:05" (never a bare "--12-02"). */
export function formatDate(iso, options = {dateStyle: "medium", timeStyle: "short"}) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : new Intl.DateTimeFormat(intlLocale(), options)
    .format(date);
}

/** A day as a fact holds it: "2026-12-02" -> "2 déc. 2026"; a day without a year, "--12-02"
 * (the message's date was unknown), -> "2 déc." — the bare ISO form is never shown. */
export function formatDay(value) {
  const match = /^(\d{4}|-)-(\d{2})-(\d{2})$/.exec(value || "");
  if (!match) return value || "";
  const [, year, month, day] = match;
  const options = year === "-" ? {day: "numeric", month: "short", timeZone: "UTC"}
    : {dateStyle: "medium", timeZone: "UTC"};
  const date = new Date(Date.UTC(year === "-" ? 2000 : Number(year), Number(month) - 1,
    Number(day)));
  return new Intl.DateTimeFormat(intlLocale(), options).format(date);
}

export function formatNumber(n, options = {}) {
  return n == null || Number.isNaN(n) ? "–" : new Intl.NumberFormat(intlLocale(), options)
    .format(n);
}

export function formatPercent(share) {
  return share == null ? "–" : formatNumber(share, {style: "percent", maximumFractionDigits: 0});
}

/** 45 s, 3 min 20 s, 2 h 05 min, 3 d 4 h — short units in the user's language. */
export function formatDuration(seconds) {
  if (seconds == null || Number.isNaN(seconds)) return "–";
  const s = Math.max(0, Math.round(seconds));
  const unit = (value, name) => new Intl.NumberFormat(intlLocale(),
    {style: "unit", unit: name, unitDisplay: "narrow"}).format(value);
  if (s < 60) return unit(s, "second");
  if (s < 3600) return `${unit(Math.floor(s / 60), "minute")} ${unit(s % 60, "second")}`;
  if (s < 86400) return `${unit(Math.floor(s / 3600), "hour")} ${unit(Math.floor(s / 60) % 60, "minute")}`;
  return `${unit(Math.floor(s / 86400), "day")} ${unit(Math.floor(s / 3600) % 24, "hour")}`;
}

/** "in 5 min", "il y a 2 h": relative to now. */
export function formatRelative(iso) {
  if (!iso) return "";
  const minutes = Math.round((new Date(iso) - Date.now()) / 60000);
  const rtf = new Intl.RelativeTimeFormat(intlLocale(), {numeric: "auto", style: "short"});
  const abs = Math.abs(minutes);
  if (abs < 60) return rtf.format(minutes, "minute");
  if (abs < 2880) return rtf.format(Math.round(minutes / 60), "hour");
  return rtf.format(Math.round(minutes / 1440), "day");
}
