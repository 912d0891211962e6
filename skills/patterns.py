"""Keyword patterns: admin-written regular expressions, checked so that matching stays cheap.

Python's ``re`` backtracks and has no timeout, so a careless pattern such as ``(a+)+$`` or
``\\d+\\d+x`` takes exponential or polynomial time on a crafted message. Patterns are
refused on write, with the reason, when they:

- are longer than ``MAX_LENGTH`` characters, or do not compile (or compile with a warning);
- use back-references or conditionals (matching them is not linear);
- repeat a group that itself contains a repetition or an alternation (``(a+)+``,
  ``(a|ab)*``): exponential backtracking;
- let two repetitions that can match the same characters follow each other (``\\d+\\d+``,
  ``\\w+\\s*\\w+``, ``.*x.*``): the text can be split between them in quadratically many ways;
  a character that both cannot match in between (``\\w+@\\w+``) keeps them apart;
- match the empty string (the rule would then match every message).

Characters are compared on a sample alphabet (ASCII, accented letters, other scripts'
digits and spaces, and every character written in the pattern). Matching reads at most
``TEXT_LIMIT`` characters of a message (the request comes first), so the one repetition a
pattern may hold at a time costs at most quadratic time on that prefix. Matching ignores
case; a pattern is tried on the text as written and without accents, so ``facture`` also
finds "FACTURÉ" while ``r[ée]silier`` finds "résilier".
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache

from clocks import _fields as f

MAX_LENGTH = 200
MAX_PATTERNS = 50
TEXT_LIMIT = 2000
_SAMPLE = frozenset(
    "\t\n\r\x0b\x0c"
    + "".join(chr(c) for c in range(32, 127))
    + "éèêëàâçùûôîïÉÈÀÇßøæœñüÿ\u00a0\u2003\u200b٣١०€°«»’–—…日本ё😀"
)
_ZERO_WIDTH_ESCAPES = frozenset("bBAZ")
_QUANTIFIER = re.compile(r"\*|\+|\?|\{(\d*)(,?)(\d*)\}")
_MANY = 1 << 30
Chars = frozenset[str]


def check_pattern(pattern: str, field: str) -> re.Pattern[str]:
    """The compiled pattern (case-insensitive), or RuleError naming ``field`` and the reason."""
    if len(pattern) > MAX_LENGTH:
        raise f.error(field, f"pattern longer than {MAX_LENGTH} characters")
    try:
        with warnings.catch_warnings():
            # A FutureWarning (e.g. "possible nested set") flags an ambiguous pattern.
            warnings.simplefilter("error")
            compiled = re.compile(pattern, re.IGNORECASE)
    except (re.error, FutureWarning) as error:
        raise f.error(field, f"invalid regular expression: {error}") from None
    tree = _Parser(pattern, field).parse()
    _walk(tree, frozenset(), field)
    if compiled.fullmatch("") is not None:
        raise f.error(field, "pattern matches the empty string, so it would match every message")
    return compiled


def compile_patterns(patterns: tuple[str, ...], field: str) -> tuple[re.Pattern[str], ...]:
    if not patterns:
        raise f.error(field, "must not be empty (None matches anything)")
    if len(patterns) > MAX_PATTERNS:
        raise f.error(field, f"at most {MAX_PATTERNS} patterns")
    return tuple(check_pattern(p, f"{field}[{i}]") for i, p in enumerate(patterns))


def search_any(patterns: tuple[re.Pattern[str], ...], text: str, folded: str) -> bool:
    """True when a pattern occurs in ``text`` or its accent-free form ``folded``."""
    text, folded = text[:TEXT_LIMIT], folded[:TEXT_LIMIT]
    return any(p.search(text) is not None or p.search(folded) is not None for p in patterns)


# -- a small parse tree of the (already compiled, so well-formed) pattern --------------------


@dataclass(frozen=True, slots=True)
class _Atom:
    chars: Chars  # what one occurrence can match (on the sample alphabet)


@dataclass(frozen=True, slots=True)
class _Assert:  # zero width: anchors, \b, lookarounds
    pass


@dataclass(frozen=True, slots=True)
class _Seq:
    items: tuple[tuple[_Node, int, int], ...]  # (node, min, max occurrences)


@dataclass(frozen=True, slots=True)
class _Alt:
    branches: tuple[_Node, ...]


_Node = _Atom | _Assert | _Seq | _Alt


class _Parser:
    def __init__(self, pattern: str, field: str) -> None:
        self.p = pattern
        self.field = field
        self.i = 0

    def fail(self, detail: str) -> None:
        raise f.error(self.field, f"{detail} (at position {self.i})")

    def parse(self) -> _Node:
        return self._alternation()

    def _alternation(self) -> _Node:
        branches = [self._sequence()]
        while self.p[self.i : self.i + 1] == "|":
            self.i += 1
            branches.append(self._sequence())
        return branches[0] if len(branches) == 1 else _Alt(tuple(branches))

    def _sequence(self) -> _Node:
        items: list[tuple[_Node, int, int]] = []
        while self.i < len(self.p) and self.p[self.i] not in "|)":
            node = self._atom()
            if node is None:
                continue
            low, high = self._quantifier()
            if high > 1 and not isinstance(node, _Atom) and _complex(node):
                self.fail("a repeated group must not contain a repetition or an alternation")
            items.append((node, low, high))
        return _Seq(tuple(items))

    def _atom(self) -> _Node | None:
        ch = self.p[self.i]
        if ch == "(":
            return self._group()
        if ch == "[":
            return _Atom(_chars(self._class_text()))
        if ch in "^$":
            self.i += 1
            return _Assert()
        if ch == "\\":
            return self._escape()
        self.i += 1
        return _Atom(_chars(ch if ch == "." else re.escape(ch)))

    def _escape(self) -> _Node:
        nxt = self.p[self.i + 1 : self.i + 2]
        if nxt.isdigit() and nxt != "0":
            self.fail("back-references are not allowed")
        start = self.i
        length = {"x": 4, "u": 6, "U": 10}.get(nxt, 2)
        if nxt == "N":
            length = self.p.index("}", self.i) + 1 - self.i
        elif nxt == "0":
            length = 2 + len(re.match(r"[0-7]{0,2}", self.p[self.i + 2 :]).group(0))  # type: ignore[union-attr]
        self.i += length
        if nxt in _ZERO_WIDTH_ESCAPES:
            return _Assert()
        return _Atom(_chars(self.p[start : self.i]))

    def _class_text(self) -> str:
        start = self.i
        j = self.i + 1 + (self.p[self.i + 1 : self.i + 2] == "^")
        if self.p[j : j + 1] == "]":
            j += 1  # a leading ] is a literal
        while self.p[j] != "]":
            j += 2 if self.p[j] == "\\" else 1
        self.i = j + 1
        return self.p[start : self.i]

    def _group(self) -> _Node | None:
        self.i += 1
        lookaround = False
        if self.p[self.i : self.i + 1] == "?":
            head = self.p[self.i + 1 : self.i + 3]
            if head.startswith("P="):
                self.fail("back-references are not allowed")
            if head.startswith("("):
                self.fail("conditional groups are not allowed")
            if head.startswith("#"):  # a comment
                self.i = self.p.index(")", self.i) + 1
                return None
            if head.startswith("P<"):
                self.i = self.p.index(">", self.i) + 1
            elif head in ("<=", "<!") or head[:1] in ("=", "!"):
                lookaround = True
                self.i += 3 if head[:1] == "<" else 2
            elif head[:1] == ":":
                self.i += 2
            else:  # inline flags: (?i) alone, or scoped (?i:...)
                end = min(k for k in (self.p.find(":", self.i), self.p.find(")", self.i)) if k >= 0)
                self.i = end + 1
                if self.p[end] == ")":
                    return None
        inner = self._alternation()
        self.i += 1  # the closing parenthesis
        if lookaround:
            _walk(inner, frozenset(), self.field)  # its own backtracking still counts
            return _Assert()
        return inner

    def _quantifier(self) -> tuple[int, int]:
        match = _QUANTIFIER.match(self.p, self.i)
        if match is None or not _is_quantifier(match):
            return 1, 1
        self.i = match.end()
        if self.p[self.i : self.i + 1] in ("?", "+"):  # lazy or possessive modifier
            self.i += 1
        token = match.group(0)
        if token in ("?", "*", "+"):
            return {"?": (0, 1), "*": (0, _MANY), "+": (1, _MANY)}[token]
        low, comma, high = match.group(1), match.group(2), match.group(3)
        lower = int(low) if low else 0
        if not comma:
            return lower, lower
        return lower, int(high) if high else _MANY


def _is_quantifier(match: re.Match[str]) -> bool:
    """``{}``, ``{,}`` and ``{x`` are literal braces; ``{3}``, ``{2,}``, ``{,5}`` quantify."""
    return not match.group(0).startswith("{") or bool(match.group(1) or match.group(3))


def _complex(node: _Node) -> bool:
    """Contains a repetition or an alternation."""
    if isinstance(node, _Alt):
        return True
    if isinstance(node, _Seq):
        return any(high > 1 or _complex(child) for child, _, high in node.items)
    return False


def _all_chars(node: _Node) -> Chars:
    if isinstance(node, _Atom):
        return node.chars
    children = node.items if isinstance(node, _Seq) else ()
    branches = node.branches if isinstance(node, _Alt) else ()
    out: set[str] = set()
    for child in (*(c for c, _, _ in children), *branches):
        out |= _all_chars(child)
    return frozenset(out)


def _walk(node: _Node, pending: Chars, field: str) -> Chars:
    """``pending``: what the repetitions met since the last separating character can match.

    A new repetition that can match one of them could share the same stretch of text with
    it: refused. A mandatory character none of them can match separates them: cleared.
    """
    if isinstance(node, _Atom | _Assert):
        return pending
    if isinstance(node, _Alt):
        out: set[str] = set()
        for branch in node.branches:
            out |= _walk(branch, pending, field)
        return frozenset(out)
    for child, low, high in node.items:
        if isinstance(child, _Assert):
            continue
        if high > 1:
            chars = _all_chars(child)
            if chars & pending:
                raise f.error(
                    field,
                    "two repetitions can match the same characters one after the other, which "
                    "takes quadratic time or worse; separate them by a character neither "
                    "matches, or merge them",
                )
            # A mandatory repetition is itself a separator for what came before it.
            pending = chars if low >= 1 else pending | chars
        elif isinstance(child, _Atom):
            if low >= 1 and not child.chars & pending:
                pending = frozenset()
        else:
            inner = _walk(child, pending, field)
            pending = inner if low >= 1 else pending | inner
    return pending


@lru_cache(maxsize=2048)
def _chars(atom: str) -> Chars:
    """The sample characters (and those written in the atom) that one ``atom`` matches."""
    try:
        compiled = re.compile(atom, re.IGNORECASE)
    except re.error:
        return _SAMPLE  # cannot tell: assume it matches anything
    return frozenset(c for c in _SAMPLE | set(atom) if compiled.fullmatch(c))
