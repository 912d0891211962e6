// The transfer dialog: to an advisor (supervisors may override the care rules), a team or a
// skill, always with a note. Also the supervisor's "assign to a named advisor".
import {dialog, h, select, toast, toastError} from "../../ui.js";
import {t} from "../../i18n.js";
import {advisors, loadDirectory, teams} from "./common.js";

/** Ask where to, then POST the transfer. Resolves to the conversation, or null. */
export async function transferDialog({api, user}, conversation, preset = {}) {
  await loadDirectory(api);
  const supervising = user.role !== "advisor";
  const kind = select({name: "kind", "aria-label": t("transfer.to")},
    [["advisor", t("transfer.advisor")], ["team", t("transfer.team")],
      ["skill", t("transfer.skill")]], preset.kind || "advisor");
  const advisor = select({name: "advisor", "aria-label": t("transfer.advisor")},
    advisors().filter((a) => a.id !== conversation.assignee_id && a.role !== "admin")
      .map((a) => [a.id, `${a.name} · ${t(`status.${a.status}`)} · ${a.load_total}/${a.capacity_total}`]),
    preset.advisorId);
  const team = select({name: "team", "aria-label": t("transfer.team")},
    teams().map((x) => [x.id, x.name]));
  const skill = h("input", {name: "skill", maxlength: 60, "aria-label": t("transfer.skill")});
  const level = h("input", {name: "level", type: "number", min: 1, max: 5, value: 1,
    class: "priority-input", "aria-label": t("transfer.level")});
  const note = h("textarea", {name: "note", required: true, maxlength: 2000});
  const override = supervising ? h("input", {type: "checkbox", name: "override"}) : null;
  const care = h("p", {class: "muted"}, t("transfer.care", {list:
    "cool-down after an intense conversation, cap on intense conversations, capacity, status"}));
  const parts = {advisor: h("label", {}, t("transfer.advisor"), advisor),
    team: h("label", {}, t("transfer.team"), team),
    skill: h("div", {class: "line"}, h("label", {}, t("transfer.skill"), skill),
      h("label", {}, t("transfer.level"), level))};
  const show = () => {
    for (const [name, part] of Object.entries(parts)) part.hidden = name !== kind.value;
    skill.required = kind.value === "skill";
  };
  kind.addEventListener("change", show);
  show();
  const chosen = await dialog(t("transfer.title", {id: conversation.id}), [
    h("label", {}, t("transfer.to"), kind), Object.values(parts),
    h("label", {}, t("transfer.note"), note),
    override ? h("label", {class: "line"}, override, t("transfer.override")) : null, care],
  [{label: t("ui.cancel"), value: null}, {label: t("transfer.do"), value: "go", primary: true}]);
  if (chosen !== "go") return null;
  const body = {note: note.value};
  if (kind.value === "advisor") {
    body.to_advisor_id = Number(advisor.value);
    if (override?.checked) body.override_care = true;
  } else if (kind.value === "team") body.to_team_id = Number(team.value);
  else Object.assign(body, {to_skill: skill.value.trim(), level: Number(level.value)});
  try {
    const moved = await api("POST", `/v1/conversations/${conversation.id}/transfer`, body);
    toast(t("transfer.done", {id: conversation.id}));
    return moved;
  } catch (error) { toastError(error); return null; }
}
