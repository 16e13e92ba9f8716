"""Evaluation against ground-truth transcriptions. Independent of everything that makes text.

:func:`evaluate` is what ``digitize eval`` and ``digitize run --ground-truth`` call: it measures a run's
outputs (:func:`~digitize.evaluate.accuracy.summarize`) and, if asked, writes the report files
(:func:`~digitize.evaluate.report.write_report`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .accuracy import summarize
from .normalize import PROFILES
from .report import ReportFiles, default_report_dir, write_report
from .results import AccuracySummary, DocumentAccuracy, PageAccuracy

__all__ = [
    "PROFILES",
    "AccuracySummary",
    "DocumentAccuracy",
    "Evaluation",
    "PageAccuracy",
    "ReportFiles",
    "default_report_dir",
    "evaluate",
    "summarize",
    "write_report",
]


@dataclass(frozen=True)
class Evaluation:
    summary: AccuracySummary
    report: ReportFiles | None = None


def evaluate(
    out_dir: Path | str,
    gt_dir: Path | str,
    *,
    report_dir: Path | str | None = None,
    profile: str = "default",
    input_dir: Path | str | None = None,
) -> Evaluation:
    """Measure the outputs in ``out_dir`` against ``gt_dir``; write report.json/.csv/.html into ``report_dir``.

    Page images for the report are looked up where the run read them; ``input_dir`` overrides the input
    folder recorded in ``OUT/run.json``.
    """
    out_dir, gt_dir = Path(out_dir), Path(gt_dir)
    summary = summarize(out_dir, gt_dir, profile)
    report = None
    if report_dir is not None:
        report = write_report(
            summary,
            Path(report_dir),
            out_dir=out_dir,
            gt_dir=gt_dir,
            input_dir=Path(input_dir) if input_dir is not None else None,
        )
    return Evaluation(summary, report)
