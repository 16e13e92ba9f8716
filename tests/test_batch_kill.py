"""A run killed with SIGKILL (or stopped with SIGTERM) mid-way and rerun loses nothing and duplicates nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
from test_batch import make_scans

from digitize import api
from digitize.config import RunConfig
from digitize.errors import ExitCode
from digitize.ledger import LEDGER_NAME, Ledger, Status

DOCS = {f"doc{i}": 5 for i in range(1, 7)}  # 6 documents of 5 pages: 30 pages


def start_run(scans: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "digitize", "run", str(scans), "--out", str(out), "--jobs", "2", *extra]
    # its own session: the kill reaches the run, its pool workers and their Tesseracts at once
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for(out: Path, sql: str, at_least: int, proc: subprocess.Popen[str], timeout: float = 240.0) -> int:
    """Poll the ledger (readers do not block the writer in WAL mode) until ``sql`` counts ``at_least``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the run ended before it could be killed: {proc.communicate()}"
        if (out / LEDGER_NAME).exists():
            try:
                with sqlite3.connect(f"file:{out / LEDGER_NAME}?mode=ro", uri=True, timeout=5) as db:
                    n = int(db.execute(sql).fetchone()[0])
            except sqlite3.OperationalError:
                n = 0  # tables not created yet
            if n >= at_least:
                return n
        time.sleep(0.05)
    raise AssertionError(f"ledger never reached {at_least} for {sql}")


def test_sigkill_mid_run_then_rerun(tmp_path: Path) -> None:
    scans = make_scans(tmp_path / "scans", DOCS)
    out = tmp_path / "out"
    proc = start_run(scans, out)
    wait_for(out, "SELECT COUNT(*) FROM documents WHERE status = 'done'", 2, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL

    with Ledger(out) as ledger:
        done_before = {d.name for d in ledger.documents() if d.status == Status.DONE}
        pages_before = sum(1 for name in DOCS for p in ledger.pages(name).values() if p.status == Status.DONE)
    assert 2 <= len(done_before) < len(DOCS)
    account = api.status(out)
    assert account.by_status(Status.PENDING) and account.last_run and account.last_run["finished"] is None
    assert account.pages["done"] == pages_before and account.pages["pending"] == 30 - pages_before

    rerun = start_run(scans, out)
    stdout, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == ExitCode.OK, stderr
    progress = json.loads((out / "run.json").read_text(encoding="utf-8"))["progress"]
    # nothing lost: every page read once, either before the kill (and recorded) or now
    assert progress["pages_reused"] == pages_before
    assert progress["pages_read"] == 30 - pages_before
    assert progress["documents_skipped"] == len(done_before)

    # the clean run's text is the reference; its PDFs would be the same and are skipped to save time
    clean = api.run(scans, tmp_path / "clean", config=RunConfig().updated(pdf={"enabled": False}), jobs=2)
    assert clean.exit_code == ExitCode.OK
    with Ledger(out) as ledger:
        rows = {d.name: d for d in ledger.documents()}
    assert set(rows) == set(DOCS) and {d.status for d in rows.values()} == {Status.DONE}
    for name in DOCS:
        folder, reference = out / name, tmp_path / "clean" / name
        # each output exactly once, no temporaries or page caches left behind
        files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
        expected = sorted([f"{name}.pdf", *(str(p.relative_to(reference)) for p in reference.rglob("*"))])
        assert files == expected
        assert all((out / recorded).exists() for recorded in rows[name].outputs.values() if recorded)
        text = (folder / f"{name}.txt").read_text(encoding="utf-8")
        assert text == (reference / f"{name}.txt").read_text(encoding="utf-8")
        with pikepdf.open(folder / f"{name}.pdf") as pdf:
            assert len(pdf.pages) == 5
        pages = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))["pages"]
        assert [p["number"] for p in pages] == [1, 2, 3, 4, 5]
    assert not [p for p in out.rglob("*") if p.name.startswith(".tmp-")]


def test_sigterm_stops_promptly_second_writer_refused_rerun_finishes(tmp_path: Path) -> None:
    scans = make_scans(tmp_path / "scans", {f"d{i}": 1 for i in range(1, 6)})
    out = tmp_path / "out"
    out.mkdir()
    with Ledger(out):  # a run writing to this folder holds its lock: a second run is refused at once
        second = start_run(scans, out, "--no-pdf")
        _, stderr = second.communicate(timeout=120)
        assert second.returncode == ExitCode.BAD_USAGE and "another digitize run" in stderr
    proc = start_run(scans, out, "--no-pdf")
    wait_for(out, "SELECT COUNT(*) FROM pages WHERE status = 'done'", 1, proc)
    os.killpg(proc.pid, signal.SIGTERM)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == ExitCode.INTERRUPTED, stderr
    assert "interrupted" in stderr
    rerun = start_run(scans, out, "--no-pdf")
    _, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == ExitCode.OK, stderr
    account = api.status(out)
    assert len(account.by_status(Status.DONE)) == 5 and not account.by_status(Status.PENDING)
    assert account.last_run and account.last_run["finished"]
