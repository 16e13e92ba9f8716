"""The run ledger on its own: rows survive a reopen, the account counts them, paths are portable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from digitize.errors import UsageError
from digitize.ledger import LEDGER_NAME, Ledger, Status, file_hash, read_account


def test_rows_survive_reopen_and_account_counts_them(tmp_path: Path) -> None:
    with Ledger(tmp_path) as ledger:
        ledger.register([("a", "/scans/a.png", 1), ("b", "/scans/b", 2), ("c", "/scans/c.png", 1)])
        ledger.start_document("a", "/scans/a.png", "in-a", "set-1", 1)
        ledger.page_done("a", 1, "a.png", "in-a#0", "page-1", 1.5, tmp_path / "a" / ".pages" / "00001.json")
        ledger.document_done("a", 2.0, {"text": str(tmp_path / "a" / "a.txt"), "pdf": None})
        ledger.start_document("b", "/scans/b", "in-b", "set-1", 2)
        ledger.page_done("b", 1, "p1.png", "h1#0", "page-1", 1.0, None)
        ledger.page_failed("b", 2, "p2.png", "h2#0", "page-1", "p2.png, page 2: Tesseract timed out", "ocr")
        ledger.document_failed("b", "/scans/b", "p2.png, page 2: Tesseract timed out", "ocr", pages=2)
    account = read_account(tmp_path)
    assert [d.name for d in account.by_status(Status.DONE)] == ["a"]
    assert [(d.name, d.stage, d.error) for d in account.by_status(Status.FAILED)] == [
        ("b", "ocr", "p2.png, page 2: Tesseract timed out")
    ]
    assert [d.name for d in account.by_status(Status.PENDING)] == ["c"]
    assert account.pages == {"pending": 1, "done": 2, "failed": 1}  # c's one page is not read yet
    with Ledger(tmp_path) as ledger:
        a = ledger.document("a")
        assert a is not None and a.input_hash == "in-a" and a.settings_hash == "set-1"
        # recorded relative to the output folder, so the folder can be moved or mounted elsewhere
        assert a.outputs == {"text": "a/a.txt", "pdf": None}
        assert ledger.resolve(a.outputs["text"] or "") == tmp_path / "a" / "a.txt"
        assert ledger.pages("a")[1].result == "a/.pages/00001.json"


def test_restarting_a_document_resets_it_and_drops_pages_beyond_its_length(tmp_path: Path) -> None:
    with Ledger(tmp_path) as ledger:
        ledger.start_document("d", "/scans/d", "old", "s", 3)
        for n in (1, 2, 3):
            ledger.page_done("d", n, f"p{n}.png", f"h{n}", "p", 0.1, None)
        ledger.document_failed("d", "/scans/d", "export failed", "pdf")
        ledger.start_document("d", "/scans/d", "new", "s", 2)  # the input lost a page
        row = ledger.document("d")
        assert row is not None and row.status == Status.PENDING and row.error is None and row.input_hash == "new"
        assert sorted(ledger.pages("d")) == [1, 2]


def test_wal_mode_and_a_run_that_did_not_finish(tmp_path: Path) -> None:
    with Ledger(tmp_path) as ledger:
        finished = ledger.start_run("s", 2, None)
        ledger.finish_run(finished, 0, {"pages_read": 3})
        ledger.start_run("s", 2, "tcp://scheduler:8786")  # killed: never finished
    with sqlite3.connect(tmp_path / LEDGER_NAME) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    last = read_account(tmp_path).last_run
    assert last is not None and last["finished"] is None and last["scheduler"] == "tcp://scheduler:8786"


def test_status_of_a_folder_without_ledger_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no ledger"):
        read_account(tmp_path)
    assert not (tmp_path / LEDGER_NAME).exists()  # reading never creates one


def test_file_hash_is_of_content_not_name(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"same bytes")
    (tmp_path / "b.png").write_bytes(b"same bytes")
    (tmp_path / "c.png").write_bytes(b"other bytes")
    assert file_hash(tmp_path / "a.png") == file_hash(tmp_path / "b.png") != file_hash(tmp_path / "c.png")


def test_a_second_writer_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    with Ledger(tmp_path):
        with pytest.raises(UsageError, match="another digitize run"):
            Ledger(tmp_path)
        assert read_account(tmp_path).documents == ()  # reading is allowed while a run writes
    Ledger(tmp_path).close()  # released with the first writer
