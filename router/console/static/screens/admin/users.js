// Admin: staff accounts (advisors, supervisors, admins): create one with a generated
// password shown once, or give an account a new one (its sessions end).
import {register, t} from "../../i18n.js";
import {dialog, empty, fill, h, select, table, toast} from "../../ui.js";
import {profileForm, references} from "./advisors.js";
import {confirmed, field, formDialog, frame, generatePassword, input, secretBox} from "./common.js";

const ROLES = ["advisor", "supervisor", "admin"];

register({
  en: {
    "users.title": "Users", "users.new": "New account", "users.name": "Name", "users.email": "E-mail",
    "users.role": "Role", "users.team": "Team", "users.reset": "New password",
    "users.resetAsk": "Give {name} a new password? Their open sessions end.",
    "users.passwordOnce": "Password of {email}: shown once, give it to them now.",
    "users.created": "Account created", "users.passwordSet": "New password",
    "users.role.advisor": "advisor", "users.role.supervisor": "supervisor", "users.role.admin": "admin",
  },
  fr: {
    "users.title": "Utilisateurs", "users.new": "Nouveau compte", "users.name": "Nom",
    "users.email": "E-mail", "users.role": "Rôle", "users.team": "Équipe",
    "users.reset": "Nouveau mot de passe",
    "users.resetAsk": "Donner un nouveau mot de passe à {name} ? Ses sessions ouvertes se ferment.",
    "users.passwordOnce": "Mot de passe de {email} : affiché une seule fois, transmettez-le maintenant.",
    "users.created": "Compte créé", "users.passwordSet": "Nouveau mot de passe",
    "users.role.advisor": "conseiller", "users.role.supervisor": "superviseur", "users.role.admin": "admin",
  },
});

async function showPassword(title, email, password) {
  await dialog(title, secretBox(password, t("users.passwordOnce", {email})));
}

export function mount(element, ctx) {
  const create = h("button", {type: "button", class: "primary", id: "user-new"}, t("users.new"));
  const {body} = frame(element, t("users.title"), create);

  async function add() {
    const refs = await references(ctx.api);
    const name = input({required: true, maxlength: 200});
    const email = input({type: "email", required: true, maxlength: 320});
    const role = select({}, ROLES.map((r) => [r, t(`users.role.${r}`)]), "advisor");
    const profile = profileForm(null, refs);
    const content = h("div", {}, h("div", {class: "grid two"},
      field(t("users.name"), name, "name"), field(t("users.email"), email, "email"),
      field(t("users.role"), role, "role")), profile.content);
    const created = await formDialog(t("users.new"), content, async () => {
      const account = await ctx.api("POST", "/v1/advisors", {name: name.value.trim(),
        email: email.value.trim(), role: role.value, ...profile.value()});
      const password = generatePassword();
      await ctx.api("PUT", `/v1/auth/password/${account.id}`, {new_password: password});
      return {account, password};
    }, t("admin.create"));
    if (!created) return;
    await load();
    await showPassword(t("users.created"), created.account.email, created.password);
  }

  async function reset(account) {
    if (!await confirmed(t("users.resetAsk", {name: account.name}))) return;
    const password = generatePassword();
    try {
      await ctx.api("PUT", `/v1/auth/password/${account.id}`, {new_password: password});
      await showPassword(t("users.passwordSet"), account.email, password);
    } catch (error) { toast(error.detail || String(error), "error"); }
  }

  async function load() {
    const [staff, teams] = await Promise.all([ctx.api("GET", "/v1/advisors"),
      ctx.api("GET", "/v1/teams")]);
    const teamName = (id) => teams.find((x) => x.id === id)?.name || "–";
    fill(body, staff.length ? table([t("users.name"), t("users.email"), t("users.role"),
      t("users.team"), ""], staff.map((a) => h("tr", {},
      h("td", {}, a.name), h("td", {}, a.email), h("td", {}, t(`users.role.${a.role}`)),
      h("td", {}, teamName(a.team_id)),
      h("td", {}, h("button", {type: "button", onclick: () => reset(a)}, t("users.reset"))))))
      : empty(t("admin.none")));
  }

  create.addEventListener("click", () => add().catch((e) => toast(e.detail || String(e), "error")));
  load().catch((error) => fill(body, h("p", {class: "error"}, error.detail || String(error))));
}
