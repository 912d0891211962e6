// Business hours as the API reads them ({timezone, weekly: {mon: [["09:00", "18:00"]]},
// holidays, when}), edited as one line of windows per day: "09:00-12:00, 14:00-18:00".
import {register, t} from "../../i18n.js";
import {h, select} from "../../ui.js";
import {DAYS, field, input, parseList, showList} from "./common.js";

register({
  en: {
    "hours.timezone": "Time zone", "hours.holidays": "Holidays", "hours.holidaysHint": "YYYY-MM-DD, comma-separated",
    "hours.windowsHint": "09:00-12:00, 14:00-18:00 (empty: closed)", "hours.when": "Holds when",
    "hours.when.open": "open", "hours.when.closed": "closed",
    "hours.mon": "Mon", "hours.tue": "Tue", "hours.wed": "Wed", "hours.thu": "Thu",
    "hours.fri": "Fri", "hours.sat": "Sat", "hours.sun": "Sun",
  },
  fr: {
    "hours.timezone": "Fuseau horaire", "hours.holidays": "Jours fériés",
    "hours.holidaysHint": "AAAA-MM-JJ, séparés par des virgules",
    "hours.windowsHint": "09:00-12:00, 14:00-18:00 (vide : fermé)", "hours.when": "Vaut quand c’est",
    "hours.when.open": "ouvert", "hours.when.closed": "fermé",
    "hours.mon": "Lun", "hours.tue": "Mar", "hours.wed": "Mer", "hours.thu": "Jeu",
    "hours.fri": "Ven", "hours.sat": "Sam", "hours.sun": "Dim",
  },
});

const showWindows = (windows) => (windows || []).map(([a, b]) => `${a}-${b}`).join(", ");
// "09:00-12:00" → ["09:00", "12:00"]; anything else is sent as written for the API to name.
const parseWindows = (text) => parseList(text).map((w) => {
  const parts = w.split("-").map((s) => s.trim());
  return parts.length === 2 ? parts : [w, ""];
});

/** An hours editor under the API field `name` ("business_hours", "conditions.hours");
 * `withWhen`: the rule condition's open/closed choice. value(): the JSON document. */
export function hoursEditor(name, hours, {withWhen = false} = {}) {
  const zone = input({value: hours?.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone});
  const days = Object.fromEntries(DAYS.map((d) => [d, input({value: showWindows(hours?.weekly?.[d]),
    id: `h-${name}-${d}`.replace(/\W/g, "-"), "aria-label": t(`hours.${d}`),
    placeholder: d === "sat" || d === "sun" ? "" : "09:00-18:00"})]));
  const holidays = input({value: showList(hours?.holidays)});
  const when = select({}, ["open", "closed"].map((w) => [w, t(`hours.when.${w}`)]), hours?.when || "open");
  const el = h("div", {class: "hours", dataset: {field: name}},
    h("div", {class: "grid two"},
      field(t("hours.timezone"), zone, `${name}.timezone`),
      withWhen ? field(t("hours.when"), when, `${name}.when`) : null),
    h("div", {class: "field", dataset: {field: `${name}.weekly`}},
      h("div", {class: "days"}, DAYS.map((d) => h("div", {class: "day", dataset: {field: `${name}.weekly.${d}`}},
        h("label", {for: days[d].id}, t(`hours.${d}`)), days[d],
        h("small", {class: "field-error"})))),
      h("small", {class: "muted"}, t("hours.windowsHint")), h("small", {class: "field-error"})),
    field(t("hours.holidays"), holidays, `${name}.holidays`, t("hours.holidaysHint")),
    h("small", {class: "field-error"}));
  const value = () => {
    const weekly = {};
    for (const d of DAYS) if (days[d].value.trim()) weekly[d] = parseWindows(days[d].value);
    const doc = {timezone: zone.value.trim(), weekly, holidays: parseList(holidays.value)};
    if (withWhen) doc.when = when.value;
    return doc;
  };
  return {el, value};
}
