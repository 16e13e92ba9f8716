"""The run ledger: ``OUT/digitize.sqlite``, one row per document and per page.

A row records what went in (the content hash of the input and the hash of the settings), what came out
(status, output paths, timings) and, for failures, the stage and the reason. The batch updates a row only
after the file it describes has been renamed into place, so after a crash (even ``kill -9``) the ledger
may lag behind the files but never runs ahead of them: a rerun redoes at most the work that was in flight.

Only the process that runs the batch writes the ledger; ``digitize status`` reads it. SQLite runs in WAL
mode with ``synchronous=NORMAL``, which survives the death of the process (not a power cut, where at worst
the last pages are redone).
"""

from __future__ import annotations

import contextlib
import enum
import fcntl
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from .errors import OutputError, UsageError

LEDGER_NAME = "digitize.sqlite"
#: Held (flock) by the run that writes the ledger; the kernel releases it when that process dies, even by kill -9.
LOCK_NAME = ".digitize.lock"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    name          TEXT PRIMARY KEY,
    source        TEXT NOT NULL,
    input_hash    TEXT,
    settings_hash TEXT,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    pages         INTEGER NOT NULL DEFAULT 0,
    error         TEXT,
    stage         TEXT,
    started       TEXT,
    finished      TEXT,
    seconds       REAL,
    outputs       TEXT
);
CREATE TABLE IF NOT EXISTS pages (
    document      TEXT NOT NULL,
    number        INTEGER NOT NULL,
    source        TEXT NOT NULL,
    input_hash    TEXT,
    settings_hash TEXT,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    error         TEXT,
    stage         TEXT,
    seconds       REAL,
    result        TEXT,
    finished      TEXT,
    PRIMARY KEY (document, number)
);
CREATE TABLE IF NOT EXISTS runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    started       TEXT NOT NULL,
    finished      TEXT,
    settings_hash TEXT NOT NULL,
    jobs          INTEGER,
    scheduler     TEXT,
    exit_code     INTEGER,
    counts        TEXT
);
"""


class Status(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def file_hash(path: Path) -> str:
    """SHA-256 of a file's content (not its name or date: a copied scan is the same input)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:24]


@dataclass(frozen=True)
class DocumentRow:
    name: str
    source: str
    status: Status
    input_hash: str | None = None
    settings_hash: str | None = None
    pages: int = 0
    error: str | None = None
    stage: str | None = None
    started: str | None = None
    finished: str | None = None
    seconds: float | None = None
    outputs: dict[str, str | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "status": str(self.status)}


@dataclass(frozen=True)
class PageRow:
    document: str
    number: int
    source: str
    status: Status
    input_hash: str | None = None
    settings_hash: str | None = None
    error: str | None = None
    stage: str | None = None
    seconds: float | None = None
    result: str | None = None  # path of the cached page result, relative to the output folder
    finished: str | None = None


@dataclass(frozen=True)
class LedgerAccount:
    """What ``digitize status`` reports: every document by status, with the failures' reasons."""

    path: Path
    documents: tuple[DocumentRow, ...]
    pages: dict[str, int]  # page counts by status
    last_run: dict[str, Any] | None

    def by_status(self, status: Status) -> tuple[DocumentRow, ...]:
        return tuple(d for d in self.documents if d.status == status)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ledger": str(self.path),
            "documents": {s.value: len(self.by_status(s)) for s in Status},
            "pages": self.pages,
            "failed": [{"name": d.name, "stage": d.stage, "error": d.error} for d in self.by_status(Status.FAILED)],
            "pending": [d.name for d in self.by_status(Status.PENDING)],
            "last_run": self.last_run,
        }


class Ledger:
    """The SQLite ledger of one output folder. Use as a context manager; every write commits at once."""

    def __init__(self, out_dir: Path, *, create: bool = True) -> None:
        self.out_dir = out_dir
        self.path = out_dir / LEDGER_NAME
        if not create and not self.path.is_file():
            raise UsageError("no ledger here: not a digitize output folder, or nothing was run yet", path=out_dir)
        self._lock: IO[str] | None = None
        if create:
            self._lock = _exclusive(out_dir / LOCK_NAME)
        try:
            # isolation_level=None: autocommit; each method commits its own statements at once
            self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            if create:
                self._db.executescript(_SCHEMA)
                self._db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        except sqlite3.Error as exc:
            raise OutputError(f"cannot open the ledger ({exc})", path=self.path) from None

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        if self._lock is not None:
            self._lock.close()  # releases the flock
            self._lock = None

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            with self._db:  # one transaction
                self._db.execute("BEGIN IMMEDIATE")
                yield self._db
        except sqlite3.Error as exc:
            raise OutputError(f"cannot update the ledger ({exc})", path=self.path) from None

    # documents ---------------------------------------------------------------------------------------

    def register(self, documents: Iterable[tuple[str, str, int]]) -> None:
        """Add (name, source, pages) as pending unless the ledger knows them already."""
        with self._write() as db:
            db.executemany(
                "INSERT OR IGNORE INTO documents (name, source, status, pages) VALUES (?, ?, 'pending', ?)",
                list(documents),
            )

    def forget_rejected(self) -> None:
        """Drop the rows of files discovery refused last time; this run records its own refusals."""
        with self._write() as db:
            db.execute(
                "DELETE FROM documents WHERE status = 'failed' AND stage = 'input' AND name NOT IN "
                "(SELECT DISTINCT document FROM pages)"
            )

    def document(self, name: str) -> DocumentRow | None:
        row = self._db.execute("SELECT * FROM documents WHERE name = ?", (name,)).fetchone()
        return _document_row(row) if row else None

    def documents(self) -> tuple[DocumentRow, ...]:
        return tuple(_document_row(r) for r in self._db.execute("SELECT * FROM documents ORDER BY name"))

    def start_document(self, name: str, source: str, input_hash: str, settings_hash: str, pages: int) -> None:
        """Mark a document pending for this input and these settings; page rows beyond its length go."""
        with self._write() as db:
            db.execute(
                "INSERT INTO documents (name, source, input_hash, settings_hash, status, pages, started) "
                "VALUES (?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (name) DO UPDATE SET source = excluded.source, "
                "input_hash = excluded.input_hash, settings_hash = excluded.settings_hash, status = 'pending', "
                "pages = excluded.pages, error = NULL, stage = NULL, started = excluded.started, finished = NULL, "
                "seconds = NULL, outputs = NULL",
                (name, source, input_hash, settings_hash, pages, _now()),
            )
            db.execute("DELETE FROM pages WHERE document = ? AND number > ?", (name, pages))

    def document_done(self, name: str, seconds: float, outputs: dict[str, str | None]) -> None:
        rel = {k: self._relative(v) for k, v in outputs.items()}
        with self._write() as db:
            db.execute(
                "UPDATE documents SET status = 'done', error = NULL, stage = NULL, finished = ?, seconds = ?, "
                "outputs = ? WHERE name = ?",
                (_now(), round(seconds, 3), json.dumps(rel, ensure_ascii=False), name),
            )

    def document_failed(
        self, name: str, source: str, error: str, stage: str, *, seconds: float | None = None, pages: int = 0
    ) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO documents (name, source, status, pages, error, stage, finished, seconds) "
                "VALUES (?, ?, 'failed', ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET status = 'failed', "
                "source = excluded.source, error = excluded.error, stage = excluded.stage, "
                "finished = excluded.finished, seconds = excluded.seconds, outputs = NULL",
                (name, source, pages, error, stage, _now(), None if seconds is None else round(seconds, 3)),
            )

    # pages -------------------------------------------------------------------------------------------

    def pages(self, document: str) -> dict[int, PageRow]:
        rows = self._db.execute("SELECT * FROM pages WHERE document = ?", (document,))
        return {r["number"]: _page_row(r) for r in rows}

    def page_done(
        self,
        document: str,
        number: int,
        source: str,
        input_hash: str,
        settings_hash: str,
        seconds: float,
        result: Path | None,
    ) -> None:
        self._upsert_page(document, number, source, input_hash, settings_hash, "done", None, None, seconds, result)

    def page_failed(
        self, document: str, number: int, source: str, input_hash: str, settings_hash: str, error: str, stage: str
    ) -> None:
        self._upsert_page(document, number, source, input_hash, settings_hash, "failed", error, stage, None, None)

    def drop_page_results(self, document: str) -> None:
        """The document's export holds the pages now; their cached results are deleted, not needed."""
        with self._write() as db:
            db.execute("UPDATE pages SET result = NULL WHERE document = ?", (document,))

    def _upsert_page(
        self,
        document: str,
        number: int,
        source: str,
        input_hash: str,
        settings_hash: str,
        status: str,
        error: str | None,
        stage: str | None,
        seconds: float | None,
        result: Path | None,
    ) -> None:
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO pages (document, number, source, input_hash, settings_hash, status, error, "
                "stage, seconds, result, finished) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    document,
                    number,
                    source,
                    input_hash,
                    settings_hash,
                    status,
                    error,
                    stage,
                    None if seconds is None else round(seconds, 3),
                    self._relative(result),
                    _now(),
                ),
            )

    # runs --------------------------------------------------------------------------------------------

    def start_run(self, settings_hash: str, jobs: int, scheduler: str | None) -> int:
        with self._write() as db:
            cur = db.execute(
                "INSERT INTO runs (started, settings_hash, jobs, scheduler) VALUES (?, ?, ?, ?)",
                (_now(), settings_hash, jobs, scheduler),
            )
            return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, exit_code: int, counts: dict[str, int]) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE runs SET finished = ?, exit_code = ?, counts = ? WHERE id = ?",
                (_now(), exit_code, json.dumps(counts), run_id),
            )

    def account(self) -> LedgerAccount:
        pages = {s.value: 0 for s in Status}
        for row in self._db.execute("SELECT status, COUNT(*) AS n FROM pages GROUP BY status"):
            pages[row["status"]] = row["n"]
        # a page gets its row when it is read; until then it is pending as part of its document
        unread = self._db.execute(
            "SELECT COALESCE(SUM(d.pages - (SELECT COUNT(*) FROM pages p WHERE p.document = d.name)), 0) "
            "FROM documents d WHERE d.status != 'done'"
        ).fetchone()[0]
        pages[Status.PENDING.value] += max(0, int(unread))
        last = self._db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        last_run = None
        if last is not None:
            last_run = {k: last[k] for k in last.keys()}
            last_run["counts"] = json.loads(last_run["counts"]) if last_run["counts"] else None
        return LedgerAccount(self.path, self.documents(), pages, last_run)

    def _relative(self, path: Path | str | None) -> str | None:
        if path is None:
            return None
        p = Path(path)
        with contextlib.suppress(ValueError):
            return str(p.relative_to(self.out_dir))
        return str(p)

    def resolve(self, recorded: str) -> Path:
        """An output path as the ledger records it (relative to the output folder), made usable."""
        p = Path(recorded)
        return p if p.is_absolute() else self.out_dir / p


def _exclusive(path: Path) -> IO[str]:
    """Take the folder's run lock, or fail at once: two runs writing one folder would redo each other's work."""
    try:
        fh = path.open("a")
    except OSError as exc:
        raise OutputError(f"cannot create the run lock ({exc.strerror or exc})", path=path) from None
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        raise UsageError(
            "another digitize run is writing to this output folder; wait for it, or stop it", path=path.parent
        ) from None
    return fh


def _document_row(r: sqlite3.Row) -> DocumentRow:
    return DocumentRow(
        name=r["name"],
        source=r["source"],
        status=Status(r["status"]),
        input_hash=r["input_hash"],
        settings_hash=r["settings_hash"],
        pages=r["pages"],
        error=r["error"],
        stage=r["stage"],
        started=r["started"],
        finished=r["finished"],
        seconds=r["seconds"],
        outputs=json.loads(r["outputs"]) if r["outputs"] else {},
    )


def _page_row(r: sqlite3.Row) -> PageRow:
    return PageRow(
        document=r["document"],
        number=r["number"],
        source=r["source"],
        status=Status(r["status"]),
        input_hash=r["input_hash"],
        settings_hash=r["settings_hash"],
        error=r["error"],
        stage=r["stage"],
        seconds=r["seconds"],
        result=r["result"],
        finished=r["finished"],
    )


def read_account(out_dir: Path) -> LedgerAccount:
    """The ledger's account of an output folder, read without running anything."""
    with Ledger(out_dir, create=False) as ledger:
        return ledger.account()
