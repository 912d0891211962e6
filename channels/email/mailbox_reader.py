"""Raw messages out of .eml files, mbox files and Maildir folders (standard ``mailbox``).

A pure iterator of ``RawMessage(source, raw)`` for ``aiguillage email import``: the command
parses each with ``parse_email`` and drives its progress bar with ``count_messages``.
``source`` names the message for error reports (``path``, ``path#3`` for the third message
of an mbox, ``path:key`` in a Maildir). Nothing is modified: folders are opened read-only
and Maildir messages stay in ``new/``.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class RawMessage:
    source: str
    raw: bytes


def source_kind(path: Path) -> str:
    """``maildir``, ``eml-folder``, ``mbox`` or ``eml``; ``FileNotFoundError`` if missing."""
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            return "maildir"
        return "eml-folder"
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")
    with path.open("rb") as handle:
        return "mbox" if handle.read(5) == b"From " else "eml"


def iter_messages(path: Path) -> Iterator[RawMessage]:
    """Every raw message under ``path`` in a stable order."""
    kind = source_kind(path)
    if kind == "maildir":
        yield from _maildir(path)
    elif kind == "eml-folder":
        for file in sorted(p for p in path.rglob("*.eml") if p.is_file()):
            yield RawMessage(str(file), file.read_bytes())
    elif kind == "mbox":
        yield from _mbox(path)
    else:
        yield RawMessage(str(path), path.read_bytes())


def count_messages(path: Path) -> int:
    """How many messages ``iter_messages`` will yield (reads mbox separators, not bodies)."""
    kind = source_kind(path)
    if kind == "maildir":
        return len(mailbox.Maildir(path, factory=None, create=False))
    if kind == "eml-folder":
        return sum(1 for p in path.rglob("*.eml") if p.is_file())
    if kind == "mbox":
        box = mailbox.mbox(path, factory=None, create=False)
        try:
            return len(box)
        finally:
            box.close()
    return 1


def _mbox(path: Path) -> Iterator[RawMessage]:
    box = mailbox.mbox(path, factory=None, create=False)
    try:
        for index, key in enumerate(box.iterkeys(), start=1):
            yield RawMessage(f"{path}#{index}", box.get_bytes(key))
    finally:
        box.close()


def _maildir(path: Path) -> Iterator[RawMessage]:
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in sorted(box.iterkeys()):
        yield RawMessage(f"{path}:{key}", box.get_bytes(key))
