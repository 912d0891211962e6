"""router.classify.language: languages outside French and English are named, never forced.

``tests/data/languages.jsonl``: short customer messages in 19 languages, written for this
project (bench/classify.py reports the detector's accuracy on the same file).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from router.classify.language import detect_language
from router.classify.scripts import script_language

ROWS = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "languages.jsonl").read_text().splitlines()
]


@pytest.mark.parametrize(("text", "language"), [(r["text"], r["language"]) for r in ROWS])
def test_short_messages_are_read_in_their_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_the_set_covers_ten_languages_and_more() -> None:
    languages = {row["language"] for row in ROWS}
    assert {"fr", "en", "it", "es", "de", "pt", "nl", "zh", "ar", "ru"} <= languages


@pytest.mark.parametrize(
    "text",
    ["ok", "OK", "merci", "thanks", "oui", "yes", "Bonjour", "lol", "svp", "A-123-456",
     "CMD-2026-118", "FA-2026-11-0042", "#48213", "06 12 34 56 78", "??"],
)  # fmt: skip
def test_too_little_text_names_no_language(text: str) -> None:
    assert detect_language(text) is None


def test_a_long_latin_text_without_french_or_english_is_other() -> None:
    finnish = "Hyvää päivää, tilaukseni ei ole vielä saapunut, voitteko tarkistaa sen pian"
    assert detect_language(finnish) == "other"
    assert detect_language("Password reset needed urgently") is None  # terse, not foreign


def test_an_unlisted_script_is_other() -> None:
    assert detect_language("ሰላም፣ ትዕዛዜ እስካሁን አልደረሰም") == "other"  # Amharic


def test_a_french_message_quoting_a_chinese_product_name_stays_french() -> None:
    assert detect_language("Bonjour, j'ai commandé le thé 龙井 mais je n'ai rien reçu") == "fr"


@pytest.mark.parametrize(
    ("text", "language"),
    [("ご注文ありがとうございます", "ja"), ("Де моє замовлення? Її досі немає", "uk"),
     ("سفارش من هنوز نرسیده است، لطفا پیگیری کنید", "fa"), ("你好", "zh")],
)  # fmt: skip
def test_shared_scripts_are_told_apart_by_their_own_letters(text: str, language: str) -> None:
    assert script_language(text) == language


def test_a_tie_between_french_and_another_language_names_neither() -> None:
    # "de", "la" are French and Spanish: nothing else decides, so no language is claimed.
    assert detect_language("de la") is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # Czech used to read as Polish and Hungarian as nothing: their letters and words
        # were added from these two sentences.
        ("Dobrý den, moje objednávka ještě nedorazila, můžete to prosím zkontrolovat?", "cs"),
        ("Jó napot, a rendelésem még mindig nem érkezett meg, kérem nézzék meg", "hu"),
        # Languages without a list: surely not French or English, so "other".
        ("Selamat siang, pesanan saya belum sampai sampai sekarang, tolong dicek ya", "other"),
        ("Xin chào, đơn hàng của tôi vẫn chưa được giao, vui lòng kiểm tra giúp tôi", "other"),
        ("Habari, oda yangu bado haijafika, tafadhali angalia kwa haraka sana leo", "other"),
    ],
)
def test_neighbours_are_told_apart_and_the_unlisted_are_other(text: str, language: str) -> None:
    assert detect_language(text) == language
