"""What is new in a reply: quoted history and signatures (EN + FR), HTML to text."""

from __future__ import annotations

import pytest

from channels.email.html import html_to_text
from channels.email.quotes import split_reply

CASES = {
    "gmail attribution": (
        "Still nothing.\n\nOn Mon, Jun 3, 2024 at 10:00 AM Support <s@x.com> wrote:\n> Shipped.",
        "Still nothing.",
    ),
    "attribution wrapped over two lines": (
        "Still nothing.\n\nOn Mon, Jun 3, 2024 at 10:00 AM Support <\ns@example.com> wrote:\n> x",
        "Still nothing.",
    ),
    "french attribution": (
        "Toujours rien.\n\nLe lun. 3 juin 2024 à 10:12, Service <s@example.fr> a écrit :\n> x",
        "Toujours rien.",
    ),
    "french attribution with a non-breaking space": (
        "Toujours rien.\n\nLe 03/06/2024 à 10:12, Service a écrit\u00a0:\n> x",
        "Toujours rien.",
    ),
    "original message separator": (
        "See below.\n\n-----Original Message-----\nFrom: a\nSent: b\nTo: c\n\nold",
        "See below.",
    ),
    "french original message separator": (
        "Voir ci-dessous.\n\n----- Message d'origine -----\nDe : a\nold",
        "Voir ci-dessous.",
    ),
    "outlook header block": (
        "Merci.\n\nDe : Service <s@example.fr>\nEnvoyé : lundi 3 juin 2024 10:12\n"
        "À : moi\nObjet : RE: commande\n\nold",
        "Merci.",
    ),
    "outlook header block after underscores": (
        "Thanks.\n\n________________________________\nFrom: Billing\nSent: Monday\n"
        "To: me\nSubject: Invoice\n\nold",
        "Thanks.",
    ),
    "inline quoting keeps the answers": (
        "> Order number?\n10293\n> Date?\nLast Friday",
        "10293\nLast Friday",
    ),
    "bottom posting": (
        "Jane Doe wrote:\n> Is it fixed?\n\nNo, still broken.",
        "No, still broken.",
    ),
    "sig delimiter": ("It works now.\n\n-- \nJohn Smith\nACME Corp", "It works now."),
    "sent from my iphone": ("Yes please.\n\nSent from my iPhone", "Yes please."),
    "envoyé de mon iphone": ("Oui merci.\n\nEnvoyé de mon iPhone", "Oui merci."),
    "french closing and contact lines": (
        "Le produit est défectueux.\n\nCordialement,\nJean Dupont\n06 12 34 56 78",
        "Le produit est défectueux.",
    ),
    "english closing": ("Please cancel it.\n\nBest regards,\nAnn", "Please cancel it."),
    "a closing alone is the message": ("Thanks!", "Thanks!"),
    "a mention of writing is not an attribution": (
        "On Monday I wrote: the order is late.\nPlease check.",
        "On Monday I wrote: the order is late.\nPlease check.",
    ),
}


@pytest.mark.parametrize(("text", "expected"), CASES.values(), ids=CASES.keys())
def test_split_reply(text: str, expected: str) -> None:
    assert split_reply(text).text == expected


def test_nothing_but_history_gives_empty_new_text() -> None:
    reply = split_reply("> only a quote\n> here")
    assert reply.text == "" and reply.quoted


HTML = {
    "blocks and breaks": ("<div>a</div><div><br></div><div>b<br>c</div>", "a\n\nb\nc"),
    "paragraphs": ("<p>one</p><p>two</p>", "one\n\ntwo"),
    "lists": ("<ul><li>x</li><li><b>y</b></li></ul>", "- x\n- y"),
    "entities and nbsp": ("caf&eacute;&nbsp;&amp;&nbsp;th&eacute;", "café & thé"),
    "scripts, styles and comments vanish": (
        "<head><style>p{}</style></head><script>x()</script><!-- c -->text",
        "text",
    ),
    "table cells": ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"),
    "whitespace collapses": ("<p>  many\n\n   spaces  </p>", "many spaces"),
}


@pytest.mark.parametrize(("html", "expected"), HTML.values(), ids=HTML.keys())
def test_html_to_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    "quote",
    [
        '<div class="gmail_quote">On Mon wrote:<blockquote>old</blockquote></div>',
        '<blockquote type="cite">old</blockquote>',
        '<div id="appendonsend"></div><hr><div id="divRplyFwdMsg">From: x</div><div>old</div>',
        '<div class="yahoo_quoted">old</div>',
    ],
)
def test_html_quote_containers_are_dropped_on_request(quote: str) -> None:
    html = f"<div>new text</div>{quote}"
    assert html_to_text(html, drop_quotes=True) == "new text"
    assert "old" in html_to_text(html)
