"""HTML mail body -> clean text (selectolax/lexbor), optionally without quoted history.

Block elements become line breaks (paragraphs a blank line), list items get a dash, scripts,
styles and comments vanish, whitespace collapses as a browser would. Breaks are marked with
control characters inserted into the tree so that the text itself is extracted in one call
into lexbor, not node by node in Python.

Mail clients wrap the quoted history of a reply in known containers (Gmail ``gmail_quote``,
Apple/Thunderbird ``blockquote type=cite``, Outlook ``divRplyFwdMsg``/``appendonsend`` and
everything after them, Yahoo ``yahoo_quoted``); ``drop_quotes`` removes them before
extraction, and ``channels.email.quotes`` then handles what is left in the text.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

_PARA = "\x1d"
_LINE = "\x1e"
_BR = "\x1f"
_INVISIBLE = ["script", "style", "head", "title", "noscript", "template", "object", "svg"]
_PARAGRAPHS = "p, h1, h2, h3, h4, h5, h6, blockquote, pre, table, ul, ol, hr, dl"
_LINES = "div, tr, li, dt, dd, section, article, header, footer, address, center, form"
_QUOTES = (
    "blockquote, .gmail_quote, .yahoo_quoted, .moz-cite-prefix, .OutlookMessageHeader,"
    " div[data-marker='__QUOTED_TEXT__']"
)
# Containers after which everything is history (Outlook, Hotmail, new Outlook).
_CUT_AFTER = (
    "#appendonsend, #divRplyFwdMsg, hr#stopSpelling, #mail-editor-reference-message-container"
)
_WHITESPACE = re.compile(r"[ \t\r\n\f\v\xa0\u200b\u2028\u2029]+")
_MARKS = f"{_PARA}{_LINE}{_BR}"
_BREAKS = re.compile(f"[ {_MARKS}]*[{_MARKS}][ {_MARKS}]*")
# A <br> right after another break is an empty line of its own (<div><br></div>, <br><br>).
_EMPTY_LINE = re.compile(f"[{_MARKS}] *{_BR}")


def _drop_quotes(tree: LexborHTMLParser) -> bool:
    """Remove quoted history; True if anything was removed."""
    removed = False
    for node in tree.css(_CUT_AFTER):
        sibling = node.next
        while sibling is not None:
            following = sibling.next
            sibling.remove()
            sibling = following
        node.remove()
        removed = True
    for node in tree.css(_QUOTES):
        node.remove()
        removed = True
    return removed


def _newlines(run: re.Match[str]) -> str:
    marks = run.group()
    return "\n\n" if _PARA in marks or _EMPTY_LINE.search(marks) else "\n"


def html_to_text(html: str, *, drop_quotes: bool = False) -> str:
    """Readable text of an HTML document or fragment."""
    tree = LexborHTMLParser(html)
    tree.strip_tags(_INVISIBLE)
    if drop_quotes:
        _drop_quotes(tree)
    for node in tree.css(_PARAGRAPHS):
        node.insert_before(_PARA)
        node.insert_after(_PARA)
    for node in tree.css(_LINES):
        node.insert_before(_LINE)
        node.insert_after(_LINE)
    for node in tree.css("li"):
        first = node.first_child
        if first is None:
            node.insert_child("- ")
        else:
            first.insert_before("- ")
    for node in tree.css("br"):
        node.insert_after(_BR)
    for node in tree.css("td, th"):
        node.insert_after(" ")
    root = tree.body or tree.root
    if root is None:
        return ""
    text = _WHITESPACE.sub(" ", root.text(deep=True, separator=""))
    text = _BREAKS.sub(_newlines, text)
    return text.strip()
