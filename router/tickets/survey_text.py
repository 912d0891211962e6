"""Satisfaction survey wording: the message that carries the link, and the answer page.

Localised (French or English, English by default) and shaped by the channel's tone, as
reply templates are: email formal, with a subject and a greeting; chat short; social
networks brief and public-safe (no name, no detail of the case).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from typing import Literal

from router.models.csat import MAX_COMMENT

Language = Literal["fr", "en"]
Kind = Literal["email", "chat", "social"]
SCALE = (1, 2, 3, 4, 5)

_SOCIAL = frozenset({"messenger", "instagram", "whatsapp", "x"})
_SUBJECT = {
    "fr": "Votre avis sur notre échange (n° {conversation})",
    "en": "How did we do? (conversation #{conversation})",
}
_EMAIL = {
    "fr": (
        "{greeting}\n\n"
        "Votre demande a été traitée. Votre avis nous aide à mieux vous servir : "
        "accepteriez-vous de noter notre échange de 1 à 5 ? Cela prend une minute.\n\n"
        "{link}\n\n"
        "Ce lien est personnel et reste valable 30 jours.\n\n"
        "Bien cordialement,\nLe service client"
    ),
    "en": (
        "{greeting}\n\n"
        "Your request has been resolved. Your opinion helps us serve you better: would you "
        "rate our conversation from 1 to 5? It takes a minute.\n\n"
        "{link}\n\n"
        "This link is personal and stays valid for 30 days.\n\n"
        "Kind regards,\nCustomer service"
    ),
}
_GREETING = {
    "fr": ("Bonjour {name},", "Madame, Monsieur,"),
    "en": ("Dear {name},", "Hello,"),
}
_CHAT = {
    "fr": "Merci pour cet échange ! Comment l'avez-vous trouvé, de 1 à 5 ? {link}",
    "en": "Thanks for chatting with us! How did we do, from 1 to 5? {link}",
}
_SOCIAL_TEXT = {
    "fr": "Merci ! Notez notre aide de 1 à 5 : {link}",
    "en": "Thank you! Rate our help from 1 to 5: {link}",
}
QUESTION = {
    "fr": "Comment évaluez-vous notre échange ?",
    "en": "How would you rate our conversation?",
}
_LABELS = {
    "fr": ("Très insatisfait", "Insatisfait", "Moyen", "Satisfait", "Très satisfait"),
    "en": ("Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"),
}
_PAGE = {
    "fr": {
        "title": "Votre avis",
        "comment": "Un commentaire ? (facultatif)",
        "send": "Envoyer",
        "thanks": "Merci, votre avis a bien été enregistré.",
    },
    "en": {
        "title": "Your opinion",
        "comment": "Anything to add? (optional)",
        "send": "Send",
        "thanks": "Thank you, your answer has been recorded.",
    },
}


_ANSWERED = {
    "fr": "Vous avez déjà répondu à ce questionnaire. Merci !",
    "en": "This survey has already been answered. Thank you!",
}
_EXPIRED = {
    "fr": "Ce questionnaire a expiré le {day:%d/%m/%Y} (les réponses sont reçues {days} jours).",
    "en": "This survey expired on {day:%Y-%m-%d} (answers are taken for {days} days).",
}
# An unknown link has no language of its own: both.
UNKNOWN_LINK = "Ce lien de questionnaire est inconnu. / This survey link is unknown."


@dataclass(frozen=True)
class SurveyText:
    subject: str | None
    text: str


def language_of(language: str | None) -> Language:
    """The survey's language: French for a French conversation, English otherwise."""
    return "fr" if (language or "").lower().startswith("fr") else "en"


def kind_of(channel: str) -> Kind:
    if channel == "email":
        return "email"
    return "social" if channel in _SOCIAL else "chat"


def survey_message(
    channel: str, language: Language, link: str, *, name: str | None, conversation_id: int
) -> SurveyText:
    """The message carrying the survey link, in the tone of ``channel``."""
    kind = kind_of(channel)
    if kind == "email":
        named, anonymous = _GREETING[language]
        greeting = named.format(name=name.strip()) if name and name.strip() else anonymous
        return SurveyText(
            subject=_SUBJECT[language].format(conversation=conversation_id),
            text=_EMAIL[language].format(greeting=greeting, link=link),
        )
    texts = _CHAT if kind == "chat" else _SOCIAL_TEXT
    return SurveyText(subject=None, text=texts[language].format(link=link))


def labels(language: Language) -> dict[int, str]:
    return dict(zip(SCALE, _LABELS[language], strict=True))


def _page(language: Language, body: str) -> str:
    title = html.escape(_PAGE[language]["title"])
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{title}</title><style>body{{font-family:sans-serif;max-width:32rem;"
        "margin:2rem auto;padding:0 1rem}label{display:block;margin:.4rem 0}"
        "textarea{width:100%}</style></head>"
        f"<body><h1>{title}</h1>{body}</body></html>"
    )


def form_page(language: Language) -> str:
    """The answer form; it posts back to its own address (the survey link)."""
    texts = _PAGE[language]
    choices = "".join(
        f'<label><input type="radio" name="score" value="{score}" required> '
        f"{score} – {html.escape(label)}</label>"
        for score, label in labels(language).items()
    )
    body = (
        f'<form method="post"><fieldset><legend>{html.escape(QUESTION[language])}</legend>'
        f"{choices}</fieldset>"
        f'<p><label for="comment">{html.escape(texts["comment"])}</label>'
        f'<textarea id="comment" name="comment" rows="4" maxlength="{MAX_COMMENT}">'
        "</textarea></p>"
        f'<p><button type="submit">{html.escape(texts["send"])}</button></p></form>'
    )
    return _page(language, body)


def thanks_page(language: Language) -> str:
    return _page(language, f"<p>{html.escape(_PAGE[language]['thanks'])}</p>")


def notice_page(language: Language, notice: str) -> str:
    """A page telling why the link cannot be used (unknown, expired, already answered)."""
    return _page(language, f"<p>{html.escape(notice)}</p>")


def answered_notice(language: Language) -> str:
    return _ANSWERED[language]


def expired_notice(language: Language, day: date, days: int) -> str:
    return _EXPIRED[language].format(day=day, days=days)
