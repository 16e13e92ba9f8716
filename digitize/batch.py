"""Running many documents: discovery, parallel page reading, exports, the ledger and the account.

Pages are streamed: a bounded window of tasks is in flight, whatever the size of the batch, and each
page's result goes to a cache file (``OUT/<doc>/.pages/NNNNN.json``) rather than back to this process.
When a document's pages are all read, its export (PDF/A, text, JSON) runs as one more task in the same
pool, so OCRmyPDF never serialises the batch here. The ledger (:mod:`digitize.ledger`) is updated after
each file is renamed into place; a rerun skips what is done and redoes only what was lost.

Failures are per document: a bad file is recorded with its stage and reason and the batch goes on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import __version__, fileio
from .config import RunConfig
from .distributed import Runner, make_runner
from .errors import DigitizeError, ExitCode
from .ledger import Ledger, Status, file_hash
from .models import DocumentResult, DocumentSource, PageResult, PageSource
from .pipeline import DocumentOutputs, outputs_for, process_page, write_document
from .sources import discover, load_page

log = logging.getLogger(__name__)

PAGE_CACHE = ".pages"


@dataclass(frozen=True)
class DocumentStatus:
    name: str
    source: str
    status: str  # "done", "failed" or "skipped" (already done with the same input and settings)
    pages: int = 0
    seconds: float = 0.0
    error: str | None = None
    stage: str | None = None
    outputs: dict[str, str | None] = field(default_factory=dict)
    reused_pages: int = 0  # pages whose results a killed or failed earlier run had already cached

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class BatchProgress:
    """A snapshot of the counters, handed to the progress callback after every page and document."""

    pages_total: int
    documents_total: int
    pages_read: int = 0  # read by this run
    pages_reused: int = 0  # done before (skipped documents, cached pages)
    pages_failed: int = 0
    documents_done: int = 0
    documents_skipped: int = 0
    documents_failed: int = 0
    elapsed: float = 0.0

    @property
    def pages_left(self) -> int:
        return max(0, self.pages_total - self.pages_read - self.pages_reused - self.pages_failed)

    @property
    def pages_per_minute(self) -> float:
        return 60.0 * self.pages_read / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        rate = self.pages_read / self.elapsed if self.elapsed > 0 else 0.0
        return self.pages_left / rate if rate > 0 else None

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["elapsed"] = round(self.elapsed, 2)
        out["pages_per_minute"] = round(self.pages_per_minute, 2)
        eta = self.eta_seconds
        out["eta_seconds"] = None if eta is None else round(eta, 1)
        return out


@dataclass(frozen=True)
class BatchResult:
    documents: tuple[DocumentStatus, ...]
    seconds: float
    progress: BatchProgress | None = None
    ledger: Path | None = None

    @property
    def failed(self) -> tuple[DocumentStatus, ...]:
        return tuple(d for d in self.documents if d.status == "failed")

    @property
    def exit_code(self) -> ExitCode:
        if not self.documents or len(self.failed) == len(self.documents):
            return ExitCode.NO_INPUT
        return ExitCode.SOME_DOCUMENTS_FAILED if self.failed else ExitCode.OK


def input_hash(source: DocumentSource) -> str:
    """Content hash of every file a document is made of."""
    return _document_hash(source, _file_hashes(source))


def _file_hashes(source: DocumentSource) -> dict[Path, str]:
    return {path: file_hash(path) for path in dict.fromkeys(p.path for p in source.pages)}


def _document_hash(source: DocumentSource, hashes: dict[Path, str]) -> str:
    h = hashlib.sha256()
    for path, digest in hashes.items():
        h.update(path.name.encode() + b"\0" + digest.encode())
    return h.hexdigest()[:24]


def page_settings_hash(cfg: RunConfig) -> str:
    """Hash of what decides a page's reading: every setting but the PDF's, and the code's version."""
    data = cfg.model_dump(mode="json", exclude={"pdf": True, "input": {"password"}})
    blob = json.dumps({"settings": data, "digitize": __version__}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


# -- the work itself: plain functions, sent to a pool process or a Dask worker --------------------------


def read_page_to_cache(source: PageSource, number: int, cfg: RunConfig, cache: Path) -> float:
    """Read one page and write its result atomically to ``cache``; returns the seconds it took."""
    t0 = time.perf_counter()
    result = process_page(load_page(source, number, cfg.input), cfg)
    fileio.write_json(cache, result.to_dict())
    return time.perf_counter() - t0


def export_from_cache(
    source: DocumentSource,
    outputs: DocumentOutputs,
    cfg: RunConfig,
    caches: tuple[Path, ...],
    run_key: dict[str, str],
    metadata: dict[str, Any],
) -> float:
    """Assemble a document from its cached pages and write every export; returns the seconds it took."""
    t0 = time.perf_counter()
    pages = tuple(PageResult.from_dict(json.loads(p.read_text(encoding="utf-8"))) for p in caches)
    doc = DocumentResult(source.name, str(source.path), pages, {"run": run_key})
    write_document(doc, source, outputs, cfg, metadata=metadata)
    return time.perf_counter() - t0


# -- the batch -----------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Doc:
    source: DocumentSource
    outputs: DocumentOutputs
    run_key: dict[str, str]
    page_hashes: list[str]
    caches: tuple[Path, ...]
    todo: set[int]  # page numbers still to read
    started: float
    reused: int = 0
    in_flight: int = 0
    error: DigitizeError | None = None
    closed: bool = False


def _as_error(exc: BaseException, source: DocumentSource, page: int | None, stage: str) -> DigitizeError:
    if isinstance(exc, DigitizeError):
        if exc.path is None:
            exc.path = source.path
        return exc
    # the per-document boundary: a bug or a lost worker fails one document, not the batch
    return DigitizeError(f"{exc.__class__.__name__}: {exc}", path=source.path, page=page, stage=stage)


class _Batch:
    """One run over the discovered documents; see :func:`run_batch`."""

    def __init__(
        self,
        out_dir: Path,
        cfg: RunConfig,
        ledger: Ledger,
        runner: Runner,
        *,
        force: bool,
        metadata_for: Callable[[str], dict[str, Any]] | None,
        on_document: Callable[[DocumentStatus], None] | None,
        on_progress: Callable[[BatchProgress], None] | None,
        progress: BatchProgress,
    ) -> None:
        self.out_dir, self.cfg, self.ledger, self.runner = out_dir, cfg, ledger, runner
        self.force, self.metadata_for = force, metadata_for
        self.on_document, self.on_progress = on_document, on_progress
        self.settings_hash = cfg.settings_hash()
        self.page_hash = page_settings_hash(cfg)
        self.statuses: list[DocumentStatus] = []
        self.progress = progress
        self.t0 = time.perf_counter()
        self.ready: deque[_Doc] = deque()  # documents whose pages are all read, waiting for their export

    def count(self, **increments: int) -> None:
        values = {k: getattr(self.progress, k) + v for k, v in increments.items()}
        self.progress = replace(self.progress, elapsed=time.perf_counter() - self.t0, **values)
        if self.on_progress:
            self.on_progress(self.progress)

    def record(self, status: DocumentStatus) -> None:
        self.statuses.append(status)
        if self.on_document:
            self.on_document(status)
        key = {"done": "documents_done", "skipped": "documents_skipped", "failed": "documents_failed"}[status.status]
        self.count(**{key: 1})

    # planning: what each document still needs ----------------------------------------------------------

    def plan(self, source: DocumentSource) -> _Doc | None:
        """Hash the inputs and decide: skip (None, recorded), or the pages left to read."""
        started = time.perf_counter()
        outputs = outputs_for(self.out_dir, source.name, with_pdf=self.cfg.pdf.enabled)
        try:
            hashes = _file_hashes(source)
        except OSError as exc:
            err = DigitizeError(f"cannot read ({exc.strerror or exc})", path=source.path, stage="input")
            self.ledger.document_failed(source.name, str(source.path), err.one_line(), "input")
            self.record(DocumentStatus(source.name, str(source.path), "failed", error=err.one_line(), stage="input"))
            return None
        doc_hash = _document_hash(source, hashes)
        row = self.ledger.document(source.name)
        files = [Path(p) for k, p in outputs.to_dict().items() if p is not None and k != "folder"]
        if (
            not self.force
            and row is not None
            and row.status == Status.DONE
            and (row.input_hash, row.settings_hash) == (doc_hash, self.settings_hash)
            and all(p.exists() for p in files)
        ):
            shutil.rmtree(outputs.folder / PAGE_CACHE, ignore_errors=True)  # left by a kill after the ledger
            n = len(source.pages)
            self.record(DocumentStatus(source.name, str(source.path), "skipped", n, outputs=outputs.to_dict()))
            self.count(pages_reused=n)
            return None
        self.ledger.start_document(source.name, str(source.path), doc_hash, self.settings_hash, len(source.pages))
        page_hashes = [f"{hashes[p.path]}#{p.index}" for p in source.pages]
        caches = tuple(outputs.folder / PAGE_CACHE / f"{n:05d}.json" for n in range(1, len(source.pages) + 1))
        rows = {} if self.force else self.ledger.pages(source.name)
        todo = set()
        for n, (page_hash, cache) in enumerate(zip(page_hashes, caches, strict=True), start=1):
            row_n = rows.get(n)
            reusable = (
                row_n is not None
                and row_n.status == Status.DONE
                and (row_n.input_hash, row_n.settings_hash) == (page_hash, self.page_hash)
                and cache.is_file()
            )
            if not reusable:
                todo.add(n)
        run_key = {"input_hash": doc_hash, "settings_hash": self.settings_hash}
        doc = _Doc(source, outputs, run_key, page_hashes, caches, todo, started)
        doc.reused = len(source.pages) - len(todo)
        if doc.reused:
            self.count(pages_reused=doc.reused)
        return doc

    def page_tasks(self, documents: tuple[DocumentSource, ...]) -> Iterator[tuple[_Doc, int]]:
        for source in documents:
            doc = self.plan(source)
            if doc is None:
                continue
            if not doc.todo:
                self.ready.append(doc)
                continue
            for number in sorted(doc.todo):
                yield doc, number

    # the loop ------------------------------------------------------------------------------------------

    def run(self, documents: tuple[DocumentSource, ...]) -> None:
        in_flight: dict[Any, tuple[_Doc, int | None]] = {}
        tasks = self.page_tasks(documents)
        exhausted = False
        while True:
            while len(in_flight) < self.runner.slots:
                if self.ready:
                    doc = self.ready.popleft()
                    in_flight[self._submit_export(doc)] = (doc, None)
                    continue
                if exhausted:
                    break
                nxt = next(tasks, None)
                if nxt is None:
                    exhausted = True
                    continue  # planning the last documents may have made exports ready
                doc, number = nxt
                if doc.closed or doc.error is not None:
                    continue  # a page of this document failed: the rest is not worth reading now
                source = doc.source.pages[number - 1]
                fut = self.runner.submit(read_page_to_cache, source, number, self.cfg, doc.caches[number - 1])
                doc.in_flight += 1
                in_flight[fut] = (doc, number)
            if not in_flight:
                break
            for fut in self.runner.wait_first(list(in_flight)):
                finished, page = in_flight.pop(fut)
                if page is None:
                    self._export_finished(finished, fut)
                else:
                    self._page_finished(finished, page, fut)

    def _submit_export(self, doc: _Doc) -> Any:
        meta = dict(self.metadata_for(doc.source.name)) if self.metadata_for else {}
        return self.runner.submit(export_from_cache, doc.source, doc.outputs, self.cfg, doc.caches, doc.run_key, meta)

    def _page_finished(self, doc: _Doc, number: int, fut: Any) -> None:
        doc.in_flight -= 1
        label = doc.source.pages[number - 1].label
        try:
            seconds = float(fut.result())
        except Exception as exc:  # a page's own error, a bug, or a lost worker
            err = _as_error(exc, doc.source, number, "ocr")
            self.ledger.page_failed(
                doc.source.name, number, label, doc.page_hashes[number - 1], self.page_hash, err.one_line(), err.stage
            )
            doc.error = doc.error or err
            self.count(pages_failed=1)
        else:
            self.ledger.page_done(
                doc.source.name,
                number,
                label,
                doc.page_hashes[number - 1],
                self.page_hash,
                seconds,
                doc.caches[number - 1],
            )
            doc.todo.discard(number)
            self.count(pages_read=1)
        if doc.error is not None and doc.in_flight == 0:
            self._close_failed(doc, doc.error)
        elif not doc.todo and doc.in_flight == 0:
            self.ready.append(doc)

    def _export_finished(self, doc: _Doc, fut: Any) -> None:
        try:
            fut.result()
        except Exception as exc:  # see _page_finished
            self._close_failed(doc, _as_error(exc, doc.source, None, "export"))
            return
        seconds = time.perf_counter() - doc.started
        self.ledger.document_done(doc.source.name, seconds, doc.outputs.to_dict())
        # the document's JSON holds every page now; the cache would only duplicate it
        shutil.rmtree(doc.outputs.folder / PAGE_CACHE, ignore_errors=True)
        self.ledger.drop_page_results(doc.source.name)
        doc.closed = True
        src = doc.source
        self.record(
            DocumentStatus(
                src.name,
                str(src.path),
                "done",
                len(src.pages),
                seconds,
                outputs=doc.outputs.to_dict(),
                reused_pages=doc.reused,
            )
        )

    def _close_failed(self, doc: _Doc, err: DigitizeError) -> None:
        doc.closed = True
        src = doc.source
        seconds = time.perf_counter() - doc.started
        stage = err.stage or "ocr"
        self.ledger.document_failed(
            src.name, str(src.path), err.one_line(), stage, seconds=seconds, pages=len(src.pages)
        )
        self.record(
            DocumentStatus(
                src.name,
                str(src.path),
                "failed",
                len(src.pages),
                seconds,
                err.one_line(),
                stage,
                reused_pages=doc.reused,
            )
        )


def run_batch(
    scans: Path,
    out_dir: Path,
    cfg: RunConfig,
    *,
    jobs: int = 1,
    force: bool = False,
    scheduler: str | None = None,
    metadata_for: Callable[[str], dict[str, Any]] | None = None,
    on_document: Callable[[DocumentStatus], None] | None = None,
    on_progress: Callable[[BatchProgress], None] | None = None,
) -> BatchResult:
    """Process every document under ``scans`` into ``out_dir``; never raises for one bad document.

    ``scheduler`` is the address of a Dask scheduler (``tcp://host:8786``); without it the pages run on
    a local pool of ``jobs`` processes. Either way the ledger ``out_dir/digitize.sqlite`` is kept here.
    """
    t0 = time.perf_counter()
    if scheduler:
        # workers on other machines see the shared storage, not this process's working directory
        scans, out_dir = scans.resolve(), out_dir.resolve()
    found = discover(scans, cfg.input)
    progress = BatchProgress(
        pages_total=sum(len(d.pages) for d in found.documents),
        documents_total=len(found.documents) + len(found.rejected) + len(found.skipped),
    )
    with Ledger(out_dir) as ledger:  # takes the folder's run lock: one writer at a time
        fileio.remove_stale_temporaries(out_dir)  # left by a killed run, never by a live one
        run_id = ledger.start_run(cfg.settings_hash(), jobs, scheduler)
        ledger.forget_rejected()
        ledger.register((d.name, str(d.path), len(d.pages)) for d in found.documents)
        runner = make_runner(jobs, scheduler)
        batch = _Batch(
            out_dir,
            cfg,
            ledger,
            runner,
            force=force,
            metadata_for=metadata_for,
            on_document=on_document,
            on_progress=on_progress,
            progress=progress,
        )
        batch.count()  # the start: totals known, nothing done yet
        for err in found.rejected:
            where = str(err.path.relative_to(scans)) if err.path and err.path.is_relative_to(scans) else str(err.path)
            ledger.document_failed(where, str(err.path), err.one_line(), err.stage or "input")
            batch.record(
                DocumentStatus(
                    name=err.path.stem if err.path else "?",
                    source=str(err.path),
                    status="failed",
                    error=err.one_line(),
                    stage=err.stage,
                )
            )
        for err in found.skipped:  # PDFs with a text layer, left alone in --mode skip; no ledger row
            name = err.path.stem if err.path else "?"
            batch.record(DocumentStatus(name, str(err.path), "skipped", error=err.one_line(), stage=err.stage))
        try:
            batch.run(found.documents)
        except BaseException:
            runner.close(cancel=True)
            raise
        runner.close(cancel=False)
        result = BatchResult(tuple(batch.statuses), time.perf_counter() - t0, batch.progress, ledger.path)
        counts = {k: v for k, v in batch.progress.to_dict().items() if isinstance(v, int)}
        ledger.finish_run(run_id, int(result.exit_code), counts)
    return result
