"""What is the customer's own writing in a message: no quoted mail, signature or courtesies."""

from __future__ import annotations

import re

_QUOTE_HEADER = re.compile(
    r"^\s*(?:on\s.{1,200}\swrote\s?:|le\s.{1,200}\sa\s[ée]crit\s?:"
    r"|-{2,}\s*(?:original message|message d'origine|forwarded message|message transf[ée]r[ée])"
    r"|(?:from|de)\s?:\s.*@)",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(
    r"^\s*(?:--\s*$|sent from my|envoy[ée] (?:de|depuis) mon|get outlook for"
    r"|(?:cordialement|bien [àa] vous|best regards|kind regards|regards|best|cheers"
    r"|sinc[èe]res salutations|bien cordialement|salutations|amicalement|respectueusement"
    r"|(?:many\s+)?thanks(?:\s+again|\s+in\s+advance)?|thank\s+you|merci(?:\s+d'avance"
    r"|\s+par\s+avance|\s+beaucoup)?|yours\s+(?:sincerely|faithfully|truly)|sincerely"
    r"|best\s+wishes|warm(?:est)?\s+regards|all\s+the\s+best)\s*[,.!]?\s*$)",
    re.IGNORECASE,
)
_GREETING = (
    r"(?i:(?:re-?)?bonjour|bonsoir|hello|hi|hey|dear|cher|ch[èe]re|madame|monsieur|mesdames|messieurs"
    r"|salut|coucou|good\s+(?:morning|afternoon|evening))"
)
# "Bonjour Madame," "Dear Support Team," "Hello John": the greeting and whom it greets.
_GREETED = r"(?:\s+(?:[A-ZÀ-Ý][\w'’.-]*|(?i:à\s+(?:tous|vous)|all|everyone|team|support))){0,3}"
_GREETING_PREFIX = re.compile(rf"^{_GREETING}\b{_GREETED}\s*[,!:]\s*|^{_GREETING}\b[\s,!:.]*")
_COURTESY = re.compile(
    r"^(?:merci|thanks|thank\s+you|thx|cordialement|regards|best|bien\s+[àa]\s+vous|"
    r"bonne\s+(?:journ[ée]e|soir[ée]e)|have\s+a\s+(?:nice|good|great)|en\s+vous\s+remerciant|"
    r"dans\s+l'attente|looking\s+forward|sinc[èe]res|salutations|je\s+vous\s+remercie)\b",
    re.IGNORECASE,
)
_STOPWORDS = frozenset(
    """
    les des une est pas que qui quoi pour dans par sur avec sans vous nous mon mes ton tes son
    ses mais donc car cette ces aux été était etais suis avez avons ont sont elle ils elles leur
    tout tous très plus moins comme fait faire bien aussi quand alors encore depuis votre vos
    notre nos cela ceci ça the and for you your with this that have has had was were are not
    but from they them their there what when which would could should will can all any been
    being our out about into just also than then very some its it's i'm i've don't can't
    avoir être entre même autre après avant déjà ici oui non merci thanks thank please
    bonjour hello
    """.split()
)


# Openings and closings that carry no request: "J'espère que vous allez bien", "I'm writing
# about my order", "Je reste disponible pour tout complément d'information".
_PLEASANTRY = re.compile(
    r"^(?:j'esp[èe]re que vous (?:allez|vous portez) bien|i hope (?:you(?:'re| are)|this"
    r" (?:e-?mail|message) finds you)|hope you(?:'re| are)|je me permets de vous"
    r"|je vous (?:[ée]cris|contacte)|i(?:'m| am) (?:writing|contacting|reaching out)"
    r"|je reste (?:[àa] votre disposition|disponible)|let me know if you need|n'h[ée]sitez pas"
    r"|feel free to|do not hesitate|don't hesitate)\b",
    re.IGNORECASE,
)
_PLEASANTRY_WORDS = 14


def customer_text(message: str) -> str:
    """The message up to the quoted mail or the signature, quoted lines left out."""
    kept: list[str] = []
    for line in message.splitlines():
        if _QUOTE_HEADER.match(line) or _SIGNATURE.match(line):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return "\n".join(kept)


def courtesy_stripped(sentence: str) -> str:
    """The sentence without a leading greeting; "" for a pure courtesy ("Merci d'avance !")
    or a pleasantry that asks nothing ("Hope you're well.")."""
    rest = _GREETING_PREFIX.sub("", sentence, count=1).strip()
    if not rest:
        return ""
    if not re.search(r"[0-9]", rest) and (
        (_COURTESY.match(rest) and len(rest.split()) <= 10)
        or (_PLEASANTRY.match(rest) and len(rest.split()) <= _PLEASANTRY_WORDS)
    ):
        return ""
    return rest[0].upper() + rest[1:]


def words(text: str) -> list[str]:
    """The content words of ``text``, lower-cased (3 letters or more, no stop words)."""
    return [w for w in re.findall(r"[^\W\d_]{3,}", text.lower()) if w not in _STOPWORDS]
