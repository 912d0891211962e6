// The supervisor screens' strings.
import {register} from "../../i18n.js";

register({
  en: {
    "board.title": "Team board", "board.waiting": "Waiting", "board.oldest": "Oldest wait",
    "board.sl": "Service level today", "board.sl_target": "target {percent} in {time}",
    "board.asa": "ASA", "board.aht": "Avg handling time (team)", "board.occupancy": "Occupancy",
    "board.queues": "Queues", "board.queue": "Queue", "board.advisors": "Advisors",
    "board.name": "Name", "board.state": "State", "board.load": "Load",
    "board.intense": "Intense today", "board.alerts": "Alerts", "board.no_alerts": "No alerts.",
    "board.waiting_list": "Waiting conversations", "board.assign": "Assign…",
    "board.nothing": "Nobody waits.", "board.updated": "updated {when}",
    "board.answered": "{answered} answered of {offered}, {abandoned} abandoned",
    "board.not_filed": "not filed yet", "board.calm": "calm", "board.hot": "intense",
    "held.title": "Held e-mail", "held.none": "Nothing held.", "held.release": "Release",
    "held.dismiss": "Dismiss", "held.released": "Message released into routing.",
    "held.dismissed": "Message set aside.", "held.because": "held: {why}",
  },
  fr: {
    "board.title": "Tableau d’équipe", "board.waiting": "En attente", "board.oldest": "Plus longue attente",
    "board.sl": "Niveau de service aujourd’hui", "board.sl_target": "objectif {percent} en {time}",
    "board.asa": "Délai moyen de prise en charge", "board.aht": "Durée moyenne de traitement (équipe)",
    "board.occupancy": "Occupation", "board.queues": "Files", "board.queue": "File",
    "board.advisors": "Conseillers", "board.name": "Nom", "board.state": "État", "board.load": "Charge",
    "board.intense": "Intenses aujourd’hui", "board.alerts": "Alertes", "board.no_alerts": "Aucune alerte.",
    "board.waiting_list": "Conversations en attente", "board.assign": "Attribuer…",
    "board.nothing": "Personne n’attend.", "board.updated": "mis à jour {when}",
    "board.answered": "{answered} prises en charge sur {offered}, {abandoned} abandonnées",
    "board.not_filed": "pas encore classée", "board.calm": "calme", "board.hot": "intense",
    "held.title": "E-mails retenus", "held.none": "Rien n’est retenu.", "held.release": "Router",
    "held.dismiss": "Écarter", "held.released": "Message remis dans le routage.",
    "held.dismissed": "Message écarté.", "held.because": "retenu : {why}",
  },
});
