"""The library API under the CLI: each function returns typed results and never prints or exits."""

from __future__ import annotations

import json
import platform
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import __version__, fileio
from .batch import BatchProgress, BatchResult, DocumentStatus, run_batch
from .config import RunConfig, default_jobs
from .dependencies import check_for_run
from .errors import EvaluationError, OutputError
from .evaluate import Evaluation, ReportFiles, default_report_dir
from .evaluate import evaluate as _evaluate
from .evaluate.accuracy import AccuracySummary, summarize
from .evaluate.groundtruth import load_metadata
from .evaluate.layout import LayoutReport
from .evaluate.layout import evaluate_layout as _evaluate_layout
from .ledger import LedgerAccount, read_account
from .ocr import tesseract


@dataclass(frozen=True)
class RunResult:
    out_dir: Path
    batch: BatchResult
    run_json: Path
    accuracy: AccuracySummary | None = None
    accuracy_json: Path | None = None
    report: ReportFiles | None = None  # OUT/report/ when run with ground truth

    @property
    def exit_code(self) -> int:
        return int(self.batch.exit_code)


def _pdf_metadata(gt_dir: Path | None) -> Callable[[str], dict[str, Any]]:
    def lookup(name: str) -> dict[str, Any]:
        if gt_dir is None:
            return {}
        try:  # only document.json: a bad page transcription is the evaluation's to report, after the run
            m = load_metadata(gt_dir, name)
        except EvaluationError:
            return {}
        return {k: m[k] for k in ("title", "author", "subject", "keywords") if m.get(k)}

    return lookup


def _refuse_folder_links(out: Path) -> None:
    """Outputs go to OUT/<doc>/ and one level below: a symlinked folder there would take them elsewhere."""
    for first in out.iterdir():
        try:
            inner = list(first.iterdir()) if first.is_dir() and not first.is_symlink() else []
        except OSError:
            inner = []
        for entry in (first, *inner):
            if entry.is_symlink() and entry.is_dir():
                raise OutputError(
                    "a folder in the output folder is a symlink; outputs are never written through one", path=entry
                )


def run(
    scans: Path | str,
    out: Path | str,
    *,
    config: RunConfig | None = None,
    jobs: int | None = None,
    force: bool = False,
    ground_truth: Path | str | None = None,
    on_document: Callable[[DocumentStatus], None] | None = None,
    on_progress: Callable[[BatchProgress], None] | None = None,
    scheduler: str | None = None,
) -> RunResult:
    """Digitize every document under ``scans`` into ``out``; see README for the outputs.

    Pages run on ``jobs`` local processes, or on the Dask cluster whose scheduler is at ``scheduler``
    (``tcp://host:8786``). ``out/digitize.sqlite`` records every document and page, so a rerun skips
    what is done and retries what failed; ``force`` redoes everything.
    """
    cfg = config or RunConfig()
    scans, out = Path(scans), Path(out)
    gt_dir = Path(ground_truth) if ground_truth is not None else None
    jobs = jobs or default_jobs()
    started = datetime.now(UTC)
    versions = check_for_run(cfg.ocr.lang, cfg.pdf.enabled)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output folder ({exc.strerror})", path=out) from None
    try:
        # a read-only or full output folder stops the run here, before any page is read
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise OutputError(f"output folder is not writable ({exc.strerror})", path=out) from None
    _refuse_folder_links(out)
    # temporaries a killed run left behind are removed by run_batch, once it holds the folder's run lock
    batch = run_batch(
        scans,
        out,
        cfg,
        jobs=jobs,
        force=force,
        scheduler=scheduler,
        metadata_for=_pdf_metadata(gt_dir),
        on_document=on_document,
        on_progress=on_progress,
    )
    run_json = out / "run.json"
    fileio.write_json(
        run_json,
        {
            "schema": "digitize.run/1",
            "started": started.isoformat(timespec="seconds"),
            "seconds": round(batch.seconds, 2),
            "input": str(scans),
            "output": str(out),
            "jobs": jobs,
            "scheduler": scheduler,
            "ledger": str(batch.ledger) if batch.ledger else None,
            "progress": batch.progress.to_dict() if batch.progress else None,
            "settings": cfg.to_dict(),
            "settings_hash": cfg.settings_hash(),
            "versions": {
                "digitize": __version__,
                "python": platform.python_version(),
                **versions,
                "traineddata": tesseract.traineddata_versions(cfg.ocr.lang),
            },
            "exit_code": int(batch.exit_code),
            "documents": [d.to_dict() for d in batch.documents],
        },
    )
    # evaluated after run.json is written, so that bad ground truth never costs the run its record
    accuracy = accuracy_json = report = None
    if gt_dir is not None:
        evaluation = _evaluate(out, gt_dir, report_dir=default_report_dir(out), input_dir=scans)
        accuracy, report = evaluation.summary, evaluation.report
        accuracy_json = out / "accuracy.json"
        fileio.write_json(accuracy_json, accuracy.to_dict())
    return RunResult(out, batch, run_json, accuracy, accuracy_json, report)


def evaluate_accuracy(out: Path | str, ground_truth: Path | str, profile: str = "default") -> AccuracySummary:
    """CER/WER of the outputs in ``out`` against ``ground_truth``."""
    return summarize(Path(out), Path(ground_truth), profile)


def evaluate(
    out: Path | str,
    ground_truth: Path | str,
    *,
    report: Path | str | None = None,
    profile: str = "default",
) -> Evaluation:
    """Every accuracy measure of a run's outputs in ``out``; with ``report``, also report.json/.csv/.html there."""
    return _evaluate(out, ground_truth, report_dir=report, profile=profile)


def evaluate_layout(out: Path | str, ground_truth: Path | str, *, iou: float = 0.5) -> LayoutReport:
    """Per region type precision/recall/F1 of the regions in ``out`` against PAGE XML ground truth, and the
    confusion of types; also written to ``OUT/layout-report.json``."""
    report = _evaluate_layout(Path(out), Path(ground_truth), iou)
    fileio.write_json(Path(out) / "layout-report.json", report.to_dict())
    return report


def status(out: Path | str) -> LedgerAccount:
    """The ledger's account of an output folder (done, failed with reasons, pending); runs nothing."""
    return read_account(Path(out))


def load_run(out: Path | str) -> dict[str, Any]:
    return json.loads((Path(out) / "run.json").read_text(encoding="utf-8"))
