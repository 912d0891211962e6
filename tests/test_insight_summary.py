"""The extractive summary: the customer's own sentences, boilerplate out, short, in order."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from router.customers.own_text import courtesy_stripped, customer_text
from router.customers.summary import MAX_CHARS, MAX_SENTENCES, summarize

PROPERTIES = settings(database=None, deadline=None, max_examples=200)

EMAIL = """Bonjour Madame, Monsieur,

J'ai passé la commande n° 12345 le 14 mars 2026 pour un montant de 129,90 €.
Le colis n'est toujours pas arrivé. Pouvez-vous me dire où il en est ?
Il fait beau à Lyon aujourd'hui.

Merci d'avance.
Cordialement,
Marie Curie
06 12 34 56 78"""

FOLLOW_UP = """Je vous relance : j'aimerais être remboursée si le colis est perdu.

Le mar. 18 mars 2026 à 10:00, Support <support@shop.fr> a écrit :
> Bonjour, nous regardons votre dossier et revenons vers vous.
> Cordialement"""


def test_keeps_the_problem_and_the_latest_ask_in_order() -> None:
    summary = summarize([EMAIL, "Hello?", FOLLOW_UP])
    assert summary.startswith("J'ai passé la commande n° 12345 le 14 mars 2026")
    assert summary.endswith("j'aimerais être remboursée si le colis est perdu.")
    assert "Le colis n'est toujours pas arrivé." in summary
    # Greetings, courtesies, signature and the quoted answer are left out.
    for left_out in ("Bonjour", "Merci d'avance", "Cordialement", "Marie Curie", "regardons"):
        assert left_out not in summary
    assert len(summary) <= MAX_CHARS


def test_the_sentences_keep_the_order_they_were_written_in() -> None:
    summary = summarize([EMAIL, FOLLOW_UP])
    positions = [
        summary.index("J'ai passé la commande"),
        summary.index("Le colis n'est toujours pas arrivé"),
        summary.index("Je vous relance"),
    ]
    assert positions == sorted(positions)


def test_off_topic_small_talk_loses_to_the_request() -> None:
    summary = summarize([EMAIL, FOLLOW_UP])
    assert "Il fait beau" not in summary


def test_english_with_a_greeting_and_thanks() -> None:
    text = (
        "Hi team, my parcel LX123456789FR never arrived. "
        "Can you check with the carrier? Thanks a lot!\n\nBest regards,\nJohn"
    )
    assert (
        summarize([text])
        == "My parcel LX123456789FR never arrived. Can you check with the carrier?"
    )


def test_nothing_said_gives_an_empty_summary() -> None:
    assert summarize([]) == ""
    assert summarize(["Merci !", "Bonjour", "Thanks a lot", "ok", "   "]) == ""


def test_long_threads_stay_short() -> None:
    messages = [
        f"Message {i}: my order ORD-{1000 + i} is late, please could you check it again today?"
        for i in range(300)
    ]
    summary = summarize(messages)
    assert 0 < len(summary) <= MAX_CHARS
    assert summary.count("Message") <= MAX_SENTENCES
    assert "Message 0:" in summary  # the first message states the problem


def test_a_huge_sentence_is_cut() -> None:
    summary = summarize(["word " * 10_000])
    assert 0 < len(summary) <= MAX_CHARS and summary.endswith("…")


def test_quoted_mail_and_signatures_are_not_the_customer() -> None:
    text = "Ma box ne marche plus.\n> ancienne réponse\n-- \nJean\nEnvoyé de mon iPhone"
    assert customer_text(text).strip() == "Ma box ne marche plus."
    assert customer_text("Line one\nSent from my iPhone\nLine two") == "Line one"


def test_courtesies_are_dropped_and_greetings_stripped() -> None:
    assert courtesy_stripped("Bonjour Madame, ma commande est perdue") == "Ma commande est perdue"
    assert courtesy_stripped("Dear Support Team, the app crashes") == "The app crashes"
    assert courtesy_stripped("Bonjour ma commande est perdue") == "Ma commande est perdue"
    assert (
        courtesy_stripped("Hello I ordered twice, then nothing") == "I ordered twice, then nothing"
    )
    assert courtesy_stripped("Merci d'avance pour votre retour.") == ""
    assert courtesy_stripped("Thanks, but order 1234 is still missing") != ""


_WORDS = st.sampled_from(
    "Bonjour Hello merci Thanks commande order 12345 colis parcel arrivé never "
    "remboursé refund ß ŉ İ é . . ? ! , \n > -- Cordialement Dear Madame".split(" ")
)
_MESSAGES = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(_WORDS, st.text(max_size=6)), max_size=80).map(" ".join),
)


@PROPERTIES
@given(st.lists(_MESSAGES, max_size=8))
def test_never_raises_and_is_extractive(messages: list[str]) -> None:
    summary = summarize(messages)
    assert len(summary) <= MAX_CHARS
    assert summary == summary.strip()
    written = set(re.findall(r"\w+", " ".join(messages).casefold()))
    kept = re.sub(r"\w*…", " ", summary)  # a cut sentence may end in half a word
    assert set(re.findall(r"\w+", kept.casefold())) <= written
