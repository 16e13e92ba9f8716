"""Running many documents: discovery, parallel page reading, exports, and the per-document account.

Failures are per document: a bad file is recorded with its stage and reason and the batch goes on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import RunConfig
from .errors import DigitizeError, ExitCode
from .models import DocumentResult, DocumentSource, PageResult, PageSource
from .pipeline import DocumentOutputs, outputs_for, process_page, write_document
from .sources import discover, load_page

log = logging.getLogger(__name__)


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

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class BatchResult:
    documents: tuple[DocumentStatus, ...]
    seconds: float

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
    h = hashlib.sha256()
    for path in dict.fromkeys(p.path for p in source.pages):
        h.update(path.name.encode())
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()[:24]


def _read_page(source: PageSource, number: int, cfg: RunConfig) -> PageResult:
    return process_page(load_page(source, number, cfg.input), cfg)


def _already_done(outputs: DocumentOutputs, run_key: dict[str, str]) -> bool:
    files = [outputs.text, outputs.json] + ([outputs.pdf] if outputs.pdf else [])
    if not all(p.exists() for p in files):
        return False
    try:
        recorded = json.loads(outputs.json.read_text(encoding="utf-8")).get("metadata", {}).get("run", {})
    except (OSError, json.JSONDecodeError):
        return False
    return recorded == run_key


@dataclass
class _Pending:
    source: DocumentSource
    outputs: DocumentOutputs
    run_key: dict[str, str]
    started: float
    pages: dict[int, PageResult] = field(default_factory=dict)


def run_batch(
    scans: Path,
    out_dir: Path,
    cfg: RunConfig,
    *,
    jobs: int = 1,
    force: bool = False,
    metadata_for: Callable[[str], dict[str, Any]] | None = None,
    on_document: Callable[[DocumentStatus], None] | None = None,
) -> BatchResult:
    """Process every document under ``scans`` into ``out_dir``; never raises for one bad document."""
    t0 = time.perf_counter()
    found = discover(scans, cfg.input)
    statuses: list[DocumentStatus] = []

    def record(status: DocumentStatus) -> None:
        statuses.append(status)
        if on_document:
            on_document(status)

    for err in found.rejected:
        record(
            DocumentStatus(
                name=err.path.stem if err.path else "?",
                source=str(err.path),
                status="failed",
                error=err.one_line(),
                stage=err.stage,
            )
        )
    todo: list[_Pending] = []
    for source in found.documents:
        outputs = outputs_for(out_dir, source.name, with_pdf=cfg.pdf.enabled)
        try:
            key = {"input_hash": input_hash(source), "settings_hash": cfg.settings_hash()}
        except OSError as exc:
            record(
                DocumentStatus(source.name, str(source.path), "failed", error=f"{source.path}: {exc}", stage="input")
            )
            continue
        if not force and _already_done(outputs, key):
            record(
                DocumentStatus(source.name, str(source.path), "skipped", len(source.pages), outputs=outputs.to_dict())
            )
            continue
        todo.append(_Pending(source, outputs, key, time.perf_counter()))

    def page_tasks() -> Iterator[tuple[_Pending, int, PageSource]]:
        for pending in todo:
            for number, page_source in enumerate(pending.source.pages, start=1):
                yield pending, number, page_source

    failed_docs: dict[str, DigitizeError] = {}
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        in_flight: dict[Future[PageResult], tuple[_Pending, int]] = {}
        tasks = page_tasks()
        exhausted = False
        while True:
            # a bounded window of pages in flight keeps memory flat however large the batch
            while not exhausted and len(in_flight) < 2 * max(1, jobs):
                nxt = next(tasks, None)
                if nxt is None:
                    exhausted = True
                    break
                pending, number, page_source = nxt
                if pending.source.name in failed_docs:
                    continue
                in_flight[pool.submit(_read_page, page_source, number, cfg)] = (pending, number)
            if not in_flight:
                break
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for fut in done:
                pending, number = in_flight.pop(fut)
                try:
                    pending.pages[number] = fut.result()
                except DigitizeError as err:
                    failed_docs.setdefault(pending.source.name, err)
                except Exception as exc:  # the per-document boundary: a bug in one page fails one document
                    failed_docs.setdefault(
                        pending.source.name,
                        DigitizeError(f"{exc.__class__.__name__}: {exc}", path=pending.source.path, page=number),
                    )
                if pending.source.name in failed_docs or len(pending.pages) == len(pending.source.pages):
                    if not any(p is pending for p, _ in in_flight.values()):
                        record(_finish(pending, failed_docs.get(pending.source.name), cfg, metadata_for))
    return BatchResult(tuple(statuses), time.perf_counter() - t0)


def _finish(
    pending: _Pending,
    error: DigitizeError | None,
    cfg: RunConfig,
    metadata_for: Callable[[str], dict[str, Any]] | None,
) -> DocumentStatus:
    src = pending.source
    if error is None:
        pages = tuple(pending.pages[n] for n in sorted(pending.pages))
        meta = dict(metadata_for(src.name)) if metadata_for else {}
        doc = DocumentResult(src.name, str(src.path), pages, {"run": pending.run_key})
        try:
            write_document(doc, src, pending.outputs, cfg, metadata=meta)
        except DigitizeError as err:
            error = err
        except Exception as exc:  # per-document boundary
            error = DigitizeError(f"{exc.__class__.__name__}: {exc}", path=src.path, stage="export")
    seconds = time.perf_counter() - pending.started
    if error is not None:
        if error.path is None:
            error.path = src.path
        return DocumentStatus(
            src.name, str(src.path), "failed", len(src.pages), seconds, error.one_line(), error.stage or "ocr"
        )
    return DocumentStatus(src.name, str(src.path), "done", len(src.pages), seconds, outputs=pending.outputs.to_dict())
