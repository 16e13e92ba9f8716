"""Batch runs and their ledger: rerun skips, changed input and settings are redone, failures retried."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import render_page

from digitize import api
from digitize.config import RunConfig
from digitize.errors import ExitCode
from digitize.ledger import Ledger, Status

NO_PDF = RunConfig().updated(pdf={"enabled": False})


def small_page(text: str) -> object:
    """A small strip of two typewritten lines: quick to OCR, unique per page."""
    return render_page(("Товарищу СТАЛИНУ", text), size=(1000, 240))


def make_scans(root: Path, docs: dict[str, int]) -> Path:
    """``{"a": 1, "d": 2}``: one loose image ``a.png`` and a folder ``d/`` of two pages.

    Page texts say ``Документ <position of the document> лист <page>`` (digits: Latin letters would be
    read as their Cyrillic look-alikes).
    """
    root.mkdir(parents=True, exist_ok=True)
    for number, (name, pages) in enumerate(docs.items(), start=1):
        if pages == 1:
            small_page(f"Документ {number} лист 1").save(root / f"{name}.png", dpi=(300, 300))
            continue
        (root / name).mkdir()
        for n in range(1, pages + 1):
            small_page(f"Документ {number} лист {n}").save(root / name / f"p{n}.png", dpi=(300, 300))
    return root


def statuses(result: api.RunResult) -> dict[str, str]:
    return {d.name: d.status for d in result.batch.documents}


def test_rerun_skips_done_redoes_changed_and_retries_failed(tmp_path: Path) -> None:
    scans = make_scans(tmp_path / "scans", {"a": 1, "b": 1, "c": 1, "d": 2})
    out = tmp_path / "out"
    # c's text export cannot be written (a folder is in the way): c fails after its page was read
    (out / "c" / "c.txt").mkdir(parents=True)
    first = api.run(scans, out, config=NO_PDF, jobs=2)
    assert statuses(first) == {"a": "done", "b": "done", "c": "failed", "d": "done"}
    failed = first.batch.failed[0]
    assert failed.stage == "output" and "c.txt" in (failed.error or "")
    with Ledger(out) as ledger:
        assert ledger.document("c").status == Status.FAILED  # type: ignore[union-attr]
        assert ledger.pages("c")[1].status == Status.DONE  # its page is read and kept for the retry
    assert (out / "c" / ".pages" / "00001.json").is_file()

    (out / "c" / "c.txt").rmdir()
    small_page("Документ b исправлен").save(scans / "b.png", dpi=(300, 300))
    second = api.run(scans, out, config=NO_PDF, jobs=2)
    assert statuses(second) == {"a": "skipped", "b": "done", "c": "done", "d": "skipped"}
    by_name = {d.name: d for d in second.batch.documents}
    assert by_name["c"].reused_pages == 1  # retried from the cached page, not read again
    assert second.batch.progress is not None and second.batch.progress.pages_read == 1  # only b
    assert "исправлен" in (out / "b" / "b.txt").read_text(encoding="utf-8")
    assert "СТАЛИНУ" in (out / "c" / "c.txt").read_text(encoding="utf-8")
    assert not list(out.rglob(".pages")), "page caches go once their document is exported"

    changed = NO_PDF.updated(ocr={"page_timeout": 99.0})  # new settings hash: everything is redone
    assert set(statuses(api.run(scans, out, config=changed, jobs=2)).values()) == {"done"}
    forced = api.run(scans, out, config=changed, jobs=2, force=True)
    assert set(statuses(forced).values()) == {"done"}
    assert forced.batch.progress is not None and forced.batch.progress.pages_read == 5

    account = api.status(out)
    assert len(account.by_status(Status.DONE)) == 4 and account.pages["done"] == 5
    for doc in account.documents:  # the ledger agrees with the files
        for recorded in doc.outputs.values():
            if recorded is not None:
                assert (out / recorded).exists(), recorded
    run_json = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run_json["ledger"] == str(out / "digitize.sqlite")
    assert run_json["progress"]["pages_read"] == 5 and run_json["scheduler"] is None


def test_cli_progress_log_json_quiet_and_status(tmp_path: Path) -> None:
    scans = make_scans(tmp_path / "scans", {"a": 1, "d": 2})
    (scans / "broken.png").write_bytes(b"not an image")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "digitize", "run", str(scans), "--out", str(out), "--no-pdf", "--jobs", "2"]

    as_json = subprocess.run([*cmd, "--log-json"], capture_output=True, text=True, timeout=300)
    assert as_json.returncode == ExitCode.SOME_DOCUMENTS_FAILED, as_json.stderr
    events = [json.loads(line) for line in as_json.stderr.splitlines()]  # every line is one JSON object
    kinds = [e["event"] for e in events]
    assert kinds[0] == "start" and kinds[-1] == "end" and kinds.count("document") == 3
    assert events[0]["pages_total"] == 3
    assert events[-1]["pages_read"] == 3 and events[-1]["documents_failed"] == 1
    assert as_json.stdout == ""

    quiet = subprocess.run([*cmd, "--quiet"], capture_output=True, text=True, timeout=300)
    assert quiet.stdout == ""
    failures = [ln for ln in quiet.stderr.splitlines() if ln]
    assert len(failures) == 1 and failures[0].startswith("digitize: failed: ") and "broken.png" in failures[0]

    logged = subprocess.run(cmd, capture_output=True, text=True, timeout=300)  # stderr is not a terminal
    assert "0/3 pages" in logged.stderr and "pages/min" in logged.stderr and "ETA" in logged.stderr
    assert "already done" in logged.stdout and "failed documents" in logged.stdout

    status = subprocess.run(
        [sys.executable, "-m", "digitize", "status", str(out)], capture_output=True, text=True, timeout=60
    )
    assert status.returncode == 0, status.stderr
    assert "broken.png" in status.stdout and "not an image" in status.stdout
    lines = {ln.split("│")[1].strip(): ln for ln in status.stdout.splitlines() if ln.count("│") == 4}
    assert lines["done"].split("│")[2].strip() == "2" and lines["done"].split("│")[3].strip() == "3"
