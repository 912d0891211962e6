"""Raw messages out of .eml files, mbox files and Maildir folders."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest

from channels.email.mailbox_reader import count_messages, iter_messages, source_kind
from channels.email.parse import parse_email
from tests.channels.support import fixture_bytes

NAMES = ("reply_gmail_en.eml", "reply_outlook_fr.eml", "auto_reply.eml")


def raws() -> list[bytes]:
    return [fixture_bytes("email", name) for name in NAMES]


def test_eml_folder_is_read_recursively_in_order(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for i, raw in enumerate(raws()):
        (tmp_path / ("sub" if i else "") / f"{i}.eml").write_bytes(raw)
    (tmp_path / "notes.txt").write_text("not mail")
    found = list(iter_messages(tmp_path))
    assert source_kind(tmp_path) == "eml-folder"
    assert count_messages(tmp_path) == 3
    assert [m.raw for m in found] == raws()
    assert found[0].source == str(tmp_path / "0.eml")


def test_single_eml_file(tmp_path: Path) -> None:
    path = tmp_path / "one.eml"
    path.write_bytes(raws()[0])
    assert [m.raw for m in iter_messages(path)] == raws()[:1]
    assert count_messages(path) == 1


def test_mbox_file(tmp_path: Path) -> None:
    path = tmp_path / "archive.mbox"
    box = mailbox.mbox(path)
    for raw in raws():
        box.add(raw)
    box.close()
    assert source_kind(path) == "mbox"
    assert count_messages(path) == 3
    found = list(iter_messages(path))
    assert [m.source for m in found] == [f"{path}#{i}" for i in (1, 2, 3)]
    senders = [parse_email(m.raw).sender_address for m in found]
    assert senders == ["alice.martin@example.org", "jerome.dupre@example.fr", "eva@example.es"]


def test_maildir_folder(tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "Maildir")
    keys = [box.add(raw) for raw in raws()]
    found = list(iter_messages(tmp_path / "Maildir"))
    assert source_kind(tmp_path / "Maildir") == "maildir"
    assert count_messages(tmp_path / "Maildir") == 3
    assert {m.source.rpartition(":")[2] for m in found} == set(keys)
    assert sorted(parse_email(m.raw).provider_message_id for m in found) == sorted(
        parse_email(raw).provider_message_id for raw in raws()
    )


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        list(iter_messages(tmp_path / "nope"))
