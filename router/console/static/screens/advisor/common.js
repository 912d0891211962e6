// Shared by the advisor and supervisor screens: names of advisors and teams, badges.
import {h, pill} from "../../ui.js";
import {formatDate, formatDuration, formatRelative, t} from "../../i18n.js";

const directory = {advisors: new Map(), teams: new Map(), loaded: null};

/** Advisors and teams the user may see (loaded once per page, reloaded on demand). */
export function loadDirectory(api, again = false) {
  if (!directory.loaded || again) {
    directory.loaded = Promise.all([api("GET", "/v1/advisors"),
      api("GET", "/v1/teams").catch(() => [])]).then(([advisors, teams]) => {
      directory.advisors = new Map(advisors.map((a) => [a.id, a]));
      directory.teams = new Map(teams.map((x) => [x.id, x]));
      return directory;
    });
  }
  return directory.loaded;
}

export const advisorName = (id) => (id == null ? "" : directory.advisors.get(id)?.name ?? `#${id}`);
export const teamName = (id) => (id == null ? "" : directory.teams.get(id)?.name ?? `#${id}`);
export const advisors = () => [...directory.advisors.values()];
export const teams = () => [...directory.teams.values()];

export function slaBadge(label, sla, due) {
  if (!sla && !due) return null;
  const text = sla === "met" || !due ? `${label}: ${sla}`
    : `${label}: ${sla || "?"}, ${t("sla.due", {when: formatRelative(due)})}`;
  return h("span", {class: `pill sla-${sla}`, title: due ? formatDate(due) : null}, text);
}

export function emotionPill(c, quiet = false) {
  if (!c.emotion || (quiet && c.emotion === "neutral")) return null;
  const strength = c.emotion_intensity == null ? "" : ` ${Math.round(c.emotion_intensity * 100)}%`;
  return h("span", {class: `pill emotion${c.intense ? " hot" : ""}`}, `${c.emotion}${strength}`);
}

export const waitingFor = (since) => (since ? t("inbox.waiting",
  {time: formatDuration((Date.now() - new Date(since)) / 1000)}) : null);

export const channelPill = (channel) => pill(channel, "chan");
