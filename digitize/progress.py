"""What a person (or a log collector) sees while a batch runs, and the account at its end.

Four modes, all on stderr: a rich progress bar when stderr is a terminal; a log line every so often when
it is not (a cron job, ``nohup``, a CI log); one JSON object per line with ``--log-json``; nothing but
failures with ``--quiet``. The batch itself knows none of this: it hands :class:`BatchProgress`
snapshots and :class:`DocumentStatus` records to the reporter's two callbacks.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from typing import IO, Any, Literal

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from .batch import BatchProgress, BatchResult, DocumentStatus

Mode = Literal["bar", "log", "json", "quiet"]


def choose_mode(*, quiet: bool = False, log_json: bool = False, stream: IO[str] | None = None) -> Mode:
    """``--log-json`` wins over ``--quiet``; otherwise a bar on a terminal and log lines elsewhere."""
    stream = stream or sys.stderr
    if log_json:
        return "json"
    if quiet:
        return "quiet"
    return "bar" if stream.isatty() else "log"


def duration(seconds: float | None) -> str:
    """``42 s``, ``3 min 20 s``, ``5 h 07 min``; ``?`` when unknown."""
    if seconds is None:
        return "?"
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def progress_line(p: BatchProgress) -> str:
    """The one-line account the log mode prints, also used as the bar's caption."""
    done = p.pages_read + p.pages_reused
    reused = f" ({p.pages_reused} already done)" if p.pages_reused else ""
    return (
        f"{done}/{p.pages_total} pages{reused}, {p.pages_per_minute:.1f} pages/min, "
        f"ETA {duration(p.eta_seconds)}, {p.pages_failed} pages failed; documents: {p.documents_done} done, "
        f"{p.documents_skipped} skipped, {p.documents_failed} failed of {p.documents_total}"
    )


class Reporter:
    """Renders a batch's progress on ``stream``; use as a context manager around the run."""

    def __init__(self, mode: Mode, *, stream: IO[str] | None = None, interval: float = 30.0) -> None:
        self.mode = mode
        self.stream = stream or sys.stderr
        self.interval = interval
        self._last_line = float("-inf")
        self._last: BatchProgress | None = None
        self._bar: Progress | None = None
        self._task: Any = None
        self._console = Console(file=self.stream, highlight=False, soft_wrap=True)

    def __enter__(self) -> Reporter:
        if self.mode == "bar":
            self._bar = Progress(
                TextColumn("[bold]digitize[/]"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total} pages"),
                TextColumn("{task.fields[rate]} pages/min"),
                TextColumn("ETA {task.fields[eta]}"),
                TextColumn("{task.fields[failed]}"),
                console=self._console,
                refresh_per_second=2,
            )
            self._task = self._bar.add_task("pages", total=None, rate="-", eta="?", failed="")
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _emit_json(self, event: str, **fields: Any) -> None:
        record = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "event": event, **fields}
        self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.stream.flush()

    def _write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()

    def on_progress(self, p: BatchProgress) -> None:
        first = self._last is None
        self._last = p
        if self.mode == "bar" and self._bar is not None:
            failed = f"[red]{p.pages_failed} failed[/]" if p.pages_failed or p.documents_failed else ""
            self._bar.update(
                self._task,
                total=p.pages_total,
                completed=p.pages_read + p.pages_reused + p.pages_failed,
                rate=f"{p.pages_per_minute:.1f}",
                eta=duration(p.eta_seconds),
                failed=failed,
            )
            return
        if self.mode in ("log", "json"):
            now = time.monotonic()
            if not first and now - self._last_line < self.interval:
                return
            self._last_line = now
            if self.mode == "json":
                self._emit_json("start" if first else "progress", **p.to_dict())
            else:
                self._write(f"digitize: {progress_line(p)}")

    def on_document(self, status: DocumentStatus) -> None:
        if self.mode == "json":
            self._emit_json("document", **status.to_dict())
            return
        if status.status != "failed" and not status.error:
            return  # a skip with a reason (a PDF with text in --mode skip) is named like a failure
        line = f"digitize: {status.status}: {status.error}"
        if self._bar is not None:
            self._bar.console.print(line, markup=False, highlight=False)
        else:
            self._write(line)

    def finish(self, result: BatchResult) -> None:
        """The last word on stderr: a JSON summary event in JSON mode, nothing otherwise."""
        if self.mode == "json":
            p = result.progress
            self._emit_json(
                "end",
                seconds=round(result.seconds, 2),
                exit_code=int(result.exit_code),
                **(p.to_dict() if p else {}),
            )


def summary_table(result: BatchResult) -> Table:
    """The end-of-run account: documents and pages by outcome, time and speed."""
    p = result.progress
    docs = result.documents
    table = Table(title="digitize run", show_header=True)
    table.add_column("")
    table.add_column("documents", justify="right")
    table.add_column("pages", justify="right")
    table.add_row(
        "done this run",
        str(sum(d.status == "done" for d in docs)),
        str(p.pages_read) if p else "",
    )
    table.add_row(
        "already done",
        str(sum(d.status == "skipped" for d in docs)),
        str(p.pages_reused) if p else "",
    )
    table.add_row(
        "failed", str(len(result.failed)), str(p.pages_failed) if p else "", style="red" if result.failed else None
    )
    rate = f"{p.pages_per_minute:.1f} pages/min" if p and p.pages_read else ""
    table.caption = f"{duration(result.seconds)}{', ' + rate if rate else ''}"
    return table


def failures_table(result: BatchResult, *, limit: int = 20) -> Table | None:
    """The failed documents with their stage and reason; ``digitize status OUT`` lists them all."""
    if not result.failed:
        return None
    table = Table(title="failed documents")
    table.add_column("document")
    table.add_column("stage")
    table.add_column("reason", overflow="fold")
    for d in result.failed[:limit]:
        table.add_row(d.name, d.stage or "", d.error or "")
    if len(result.failed) > limit:
        table.caption = f"and {len(result.failed) - limit} more: digitize status OUT"
    return table
