// Admin: skills, the names rules require and advisors hold at a level from 1 to 5.
import {register, t} from "../../i18n.js";
import {empty, fill, h, table, toast} from "../../ui.js";
import {clearProblems, field, frame, input, showProblems} from "./common.js";

register({
  en: {
    "skills.title": "Skills", "skills.name": "Name", "skills.description": "Description",
    "skills.holders": "Advisors (level)", "skills.add": "Add the skill",
    "skills.nameHint": "letters, digits, . _ - (no spaces)", "skills.created": "Skill {name} created.",
  },
  fr: {
    "skills.title": "Compétences", "skills.name": "Nom", "skills.description": "Description",
    "skills.holders": "Conseillers (niveau)", "skills.add": "Ajouter la compétence",
    "skills.nameHint": "lettres, chiffres, . _ - (sans espace)",
    "skills.created": "Compétence {name} créée.",
  },
});

export function mount(element, ctx) {
  const {body} = frame(element, t("skills.title"));
  const name = input({required: true, maxlength: 60, autocomplete: "off"});
  const description = input({maxlength: 500});
  const form = h("form", {class: "admin-form inline", novalidate: true, id: "skill-form"},
    field(t("skills.name"), name, "name", t("skills.nameHint")),
    field(t("skills.description"), description, "description"),
    h("button", {type: "submit", class: "primary"}, t("skills.add")));
  const list = h("div", {});

  async function load() {
    const [skills, advisors] = await Promise.all([ctx.api("GET", "/v1/skills"),
      ctx.api("GET", "/v1/advisors")]);
    const holders = (skill) => advisors.filter((a) => a.skills[skill.name])
      .map((a) => `${a.name} (${a.skills[skill.name]})`).join(", ");
    fill(list, skills.length ? table([t("skills.name"), t("skills.description"),
      t("skills.holders")], skills.map((s) => h("tr", {dataset: {skill: s.name}},
      h("td", {}, h("strong", {}, s.name)), h("td", {}, s.description || ""),
      h("td", {class: "muted"}, holders(s))))) : empty(t("admin.none")));
    if (!list.isConnected) fill(body, form, list);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblems(form);
    try {
      const skill = await ctx.api("POST", "/v1/skills", {name: name.value.trim(),
        description: description.value.trim() || null});
      toast(t("skills.created", {name: skill.name}));
      form.reset();
      await load();
    } catch (error) { showProblems(form, error); }
  });
  load().catch((error) => fill(body, h("p", {class: "error"}, error.detail || String(error))));
}
