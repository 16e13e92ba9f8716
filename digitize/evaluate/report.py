"""Writing an evaluation as ``report.json``, ``report.csv`` and ``report.html`` (with ``assets/`` beside it).

All three are drawn from one :class:`~digitize.evaluate.results.AccuracySummary`. The HTML is rendered by
Jinja with autoescaping (OCR text is untrusted input), has no scripts, and links only to files in
``assets/``, so the folder can be copied, zipped and opened offline.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .. import __version__
from ..errors import EvaluationError
from ..models import RegionType
from .accuracy import is_document_json
from .images import find_page_image, page_thumbnail, run_input, split_label
from .normalize import DESCRIPTIONS
from .results import AccuracySummary, DocumentAccuracy, PageAccuracy

#: Outline colour of each region type in the page figures (the same in the legend).
TYPE_COLOURS: dict[str, str] = {
    RegionType.BODY: "#1f77b4",
    RegionType.ADDRESSEE: "#17becf",
    RegionType.MARGINALIA: "#d62728",
    RegionType.STAMP: "#9467bd",
    RegionType.ARCHIVE_REFERENCE: "#8c564b",
    RegionType.SIGNATURE: "#e377c2",
    RegionType.FOLIO_NUMBER: "#ff7f0e",
    RegionType.DATE_LINE: "#2ca02c",
    RegionType.TRANSMISSION_BLOCK: "#bcbd22",
}

CSV_COLUMNS = [
    "document", "page", "source", "ground_truth", "chars", "words", "cer", "cer_exact", "wer", "wer_exact",
    "substitutions", "insertions", "deletions", "bow_precision", "bow_recall", "bow_f1",
    "flexible_character_accuracy", "outside_regions_chars",
]  # fmt: skip


@dataclass(frozen=True)
class ReportFiles:
    folder: Path
    json: Path
    csv: Path
    html: Path


def default_report_dir(out_dir: Path) -> Path:
    """``OUT/report``, or ``OUT/accuracy-report`` when a document named ``report`` already lives in the former."""
    if is_document_json(out_dir / "report" / "report.json"):
        return out_dir / "accuracy-report"
    return out_dir / "report"


def _write_text(path: Path, text: str) -> None:
    # a reader never sees half a report: write beside, then rename
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def csv_rows(summary: AccuracySummary) -> list[dict[str, Any]]:
    """One row per evaluated page, plus a ``cer_<type>`` column for each region type that occurs."""
    types = list(summary.by_type)
    rows = []
    for doc in summary.documents:
        for p in doc.pages:
            row: dict[str, Any] = {
                "document": doc.name,
                "page": p.number,
                "source": p.source,
                "ground_truth": p.ground_truth,
                "chars": p.chars.reference_length,
                "words": p.words.reference_length,
                "cer": round(p.chars.rate, 6),
                "cer_exact": round(p.exact_chars.rate, 6),
                "wer": round(p.words.rate, 6),
                "wer_exact": round(p.exact_words.rate, 6),
                "substitutions": p.chars.substitutions,
                "insertions": p.chars.insertions,
                "deletions": p.chars.deletions,
                "bow_precision": round(p.bow.precision, 6),
                "bow_recall": round(p.bow.recall, 6),
                "bow_f1": round(p.bow.f1, 6),
                "flexible_character_accuracy": round(p.flex.accuracy, 6),
                "outside_regions_chars": len(p.outside_text.replace("\n", "")),
            }
            page_types = p.by_type
            for t in types:
                row[f"cer_{t}"] = round(page_types[t].rate, 6) if t in page_types else ""
            rows.append(row)
    return rows


def _csv(summary: AccuracySummary) -> str:
    rows = csv_rows(summary)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS + [f"cer_{t}" for t in summary.by_type], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "page"


def _page_view(doc: DocumentAccuracy, page: PageAccuracy, assets: Path, input_dir: Path | None) -> dict[str, Any]:
    """What the template needs to draw one page: image, region outlines, and its tables."""
    view: dict[str, Any] = {"page": page, "id": _slug(f"{doc.name}-p{page.number}"), "image": None}
    out = page.output
    if out is None:
        return view
    path = find_page_image(doc.name, doc.source, out.source, input_dir)
    if path is not None:
        name = f"{view['id']}.jpg"
        if page_thumbnail(path, split_label(out.source)[1], assets / name) is not None:
            view["image"] = f"assets/{name}"
    view["width"], view["height"] = max(1, out.width), max(1, out.height)
    view["stroke"] = max(2, out.width // 400)
    view["regions"] = [
        {"type": str(r.type), "colour": TYPE_COLOURS.get(r.type, "#333"), "id": r.id, "text": r.text[:300],
         "points": " ".join(f"{x},{y}" for x, y in (r.polygon or tuple(r.bbox.polygon())))}
        for r in out.regions
    ]  # fmt: skip
    if page.gt_layout is not None:
        view["gt_regions"] = [
            {"type": str(r.type), "points": " ".join(f"{x},{y}" for x, y in (r.polygon or tuple(r.bbox.polygon())))}
            for r in page.gt_layout.regions
        ]
    return view


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda x: f"{100 * x:.2f}%"
    # a space or nothing must stay visible in the confusion tables
    env.filters["show"] = lambda c: "∅" if c == "" else c.replace(" ", "␣").replace("\n", "⏎")
    return env


def write_report(
    summary: AccuracySummary,
    folder: Path,
    *,
    out_dir: Path | None = None,
    gt_dir: Path | None = None,
    input_dir: Path | None = None,
) -> ReportFiles:
    """Write the three report files into ``folder`` (created if needed); page images are found via ``out_dir``."""
    assets = folder / "assets"
    try:
        assets.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EvaluationError(f"cannot create report folder ({exc.strerror})", path=folder) from None
    data = summary.to_dict()
    files = ReportFiles(folder, folder / "report.json", folder / "report.csv", folder / "report.html")
    _write_text(files.json, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    _write_text(files.csv, _csv(summary))

    from . import plots  # matplotlib loads only when a report is drawn, not with every `digitize` command

    if input_dir is None and out_dir is not None:
        input_dir = run_input(out_dir)
    figures: dict[str, str] = {}
    pages = summary.all_pages
    if pages:
        labels = [f"{d.name}:{p.number}" for d in summary.documents for p in d.pages]
        plots.cer_per_page(labels, [p.chars.rate for p in pages], summary.chars.rate, assets / "cer_per_page.png")
        figures["CER per page"] = "assets/cer_per_page.png"
    if summary.by_type:
        plots.cer_by_type(summary.by_type, assets / "cer_by_type.png")
        figures["CER per region type"] = "assets/cer_by_type.png"
    confusions = summary.confusions
    # which letters are read as which: substitutions apart from the (usually far more common) inserted noise
    substitutions = Counter({pair: n for pair, n in confusions.items() if pair[0] and pair[1]})
    gaps = Counter({pair: n for pair, n in confusions.items() if not (pair[0] and pair[1])})
    if substitutions:
        plots.confusion_heatmap(substitutions, assets / "confusions.png")
        figures["Character substitutions"] = "assets/confusions.png"
    documents = [{"doc": d, "pages": [_page_view(d, p, assets, input_dir) for p in d.pages]} for d in summary.documents]
    html = (
        _environment()
        .get_template("report.html.j2")
        .render(
            s=summary,
            data=data,
            profile_description=DESCRIPTIONS[summary.profile],
            documents=documents,
            figures=figures,
            substitutions=substitutions.most_common(20),
            gaps=gaps.most_common(20),
            colours={str(k): v for k, v in TYPE_COLOURS.items()},
            generated=datetime.now(UTC).isoformat(timespec="seconds"),
            version=__version__,
            out_dir=str(out_dir) if out_dir else "",
            gt_dir=str(gt_dir) if gt_dir else "",
        )
    )
    _write_text(files.html, html)
    return files
