// The admin screens' nav titles: registered with the registry (the nav is drawn before
// any screen module loads); each screen registers its other strings itself.
import {register} from "../../i18n.js";

register({
  en: {
    "nav.admin.teams": "Teams", "nav.admin.skills": "Skills", "nav.admin.advisors": "Advisors",
    "nav.admin.rules": "Rules", "nav.admin.templates": "Templates", "nav.admin.sla": "SLA & hours",
    "nav.admin.routing": "Routing settings", "nav.admin.users": "Users", "nav.admin.keys": "API keys",
    "nav.admin.classifier": "Classifier", "nav.admin.audit": "Audit log", "nav.admin.whatif": "What-if",
  },
  fr: {
    "nav.admin.teams": "Équipes", "nav.admin.skills": "Compétences", "nav.admin.advisors": "Conseillers",
    "nav.admin.rules": "Règles", "nav.admin.templates": "Modèles", "nav.admin.sla": "SLA et horaires",
    "nav.admin.routing": "Réglages du routage", "nav.admin.users": "Utilisateurs",
    "nav.admin.keys": "Clés d’API", "nav.admin.classifier": "Classifieur", "nav.admin.audit": "Journal d’audit",
    "nav.admin.whatif": "Et si… ?",
  },
});
