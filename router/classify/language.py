"""Language identification from function words: fast, dependency-free, good enough to route.

Function words (articles, pronouns, auxiliaries) are the most reliable signal in short,
misspelt customer messages; a language is returned only when it clearly wins.
"""

from __future__ import annotations

import re
import unicodedata

_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "fr": frozenset(
        "le la les un une des du de et est je j tu il elle nous vous ils elles mon ma mes "
        "votre vos ne pas plus que qui quoi pour avec sur dans au aux ce cette ces suis "
        "avez ai a bonjour merci svp commande facture depuis toujours encore mais ou donc "
        "rien tout très deja déjà aussi moi mon compte colis remboursement".split()
    ),
    "en": frozenset(
        "the a an and is are was were i you he she we they my your our not no yes that "
        "which who what for with on in at this these those am have has had do does did "
        "hello hi thanks thank please order invoice since still but or so nothing all "
        "very already also me account parcel refund".split()
    ),
    "es": frozenset(
        "el la los las un una y es soy estoy yo tu usted nosotros mi mis su no que para "
        "con en por este esta hola gracias pedido factura pero muy ya también cuenta".split()
    ),
    "de": frozenset(
        "der die das ein eine und ist bin ich du sie wir mein meine ihr nicht kein dass "
        "für mit auf im in diese hallo danke bitte bestellung rechnung aber sehr schon "
        "auch konto".split()
    ),
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def detect_language(text: str, *, minimum_hits: int = 2) -> str | None:
    """ISO 639-1 code of the dominant language, or None when the text says too little."""
    words = _WORD.findall(unicodedata.normalize("NFC", text[:5000]).lower())
    if not words:
        return None
    scores = {
        lang: sum(map(vocabulary.__contains__, words))
        for lang, vocabulary in _FUNCTION_WORDS.items()
    }
    best, best_score = max(scores.items(), key=lambda item: item[1])
    runner_up = max(score for lang, score in scores.items() if lang != best)
    if best_score < minimum_hits or best_score <= runner_up:
        return None
    return best
