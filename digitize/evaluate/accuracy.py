"""Accuracy of a run's outputs against ground truth, per page, per document and per batch.

Reads only what a run wrote (``OUT/<doc>/<doc>.json``) and the ground-truth folder; nothing here makes text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from natsort import natsorted

from ..errors import EvaluationError
from ..models import DOCUMENT_SCHEMA, DocumentResult, PageResult
from .fca import flexible_counts
from .groundtruth import GroundTruthDocument, GroundTruthPage, document_names, load_document, match_page
from .metrics import EditCounts, Segment, bag_of_words, confusions, graphemes, opcodes, word_errors, wrong_words
from .normalize import display, get_profile, lines
from .regions import evaluate_regions
from .results import AccuracySummary, DocumentAccuracy, PageAccuracy

__all__ = ["AccuracySummary", "DocumentAccuracy", "PageAccuracy", "evaluate_page", "summarize"]


def _aligned(reference: str, hypothesis: str, profile: str) -> tuple[EditCounts, list[Segment]]:
    """Character counts on the profile's text, and segments drawn on its display form (line breaks kept)."""
    norm = get_profile(profile)
    ref, hyp = graphemes(norm(reference)), graphemes(norm(hypothesis))
    ref_d, hyp_d = graphemes(display(reference, profile)), graphemes(display(hypothesis, profile))
    if len(ref_d) != len(ref) or len(hyp_d) != len(hyp):  # cannot happen by construction; stay correct anyway
        ref_d, hyp_d = ref, hyp
    s = i = d = 0
    segments = []
    for tag, r0, r1, h0, h1 in opcodes(ref, hyp):
        segments.append(Segment(tag, "".join(ref_d[r0:r1]), "".join(hyp_d[h0:h1])))
        if tag == "replace":
            s += r1 - r0
        elif tag == "insert":
            i += h1 - h0
        elif tag == "delete":
            d += r1 - r0
    return EditCounts(s, i, d, len(ref)), segments


def evaluate_page(
    reference: str,
    hypothesis: str,
    profile: str = "default",
    *,
    number: int = 1,
    source: str = "",
    ground_truth: str = "",
    output: PageResult | None = None,
    gt_layout: PageResult | None = None,
) -> PageAccuracy:
    """Every page metric of ``hypothesis`` against ``reference`` under ``profile``, with ``exact`` beside it."""
    norm, exact = get_profile(profile), get_profile("exact")
    chars, segments = _aligned(reference, hypothesis, profile)
    exact_chars, _ = _aligned(reference, hypothesis, "exact")
    regions: tuple[Any, ...] = ()
    outside = ""
    if gt_layout is not None and output is not None and gt_layout.regions:
        regions, outside = evaluate_regions(gt_layout, output, norm)
    return PageAccuracy(
        number=number,
        source=source,
        ground_truth=ground_truth,
        chars=chars,
        words=word_errors(norm(reference), norm(hypothesis)),
        exact_chars=exact_chars,
        exact_words=word_errors(exact(reference), exact(hypothesis)),
        bow=bag_of_words(norm(reference), norm(hypothesis)),
        flex=flexible_counts(lines(reference, profile), lines(hypothesis, profile)),
        regions=regions,
        outside_text=outside,
        confusions=confusions(segments),
        wrong_words=wrong_words(norm(reference), norm(hypothesis)),
        segments=tuple(segments),
        output=output,
        gt_layout=gt_layout,
    )


def _document(doc: DocumentResult, gt: GroundTruthDocument, profile: str) -> DocumentAccuracy:
    if gt.whole_text is not None or not gt.pages:
        hyp = "\f".join(p.text for p in doc.pages)
        page = evaluate_page(gt.text, hyp, profile, number=0, source="(whole document)", ground_truth=gt.name)
        return DocumentAccuracy(gt.name, (page,), source=doc.source)
    results: list[PageAccuracy] = []
    unmatched: list[str] = []
    used: set[str] = set()
    for out_page in doc.pages:
        gt_page: GroundTruthPage | None = match_page(gt, out_page.source, out_page.number)
        if gt_page is None:
            unmatched.append(f"output page {out_page.number} ({out_page.source}) has no ground truth")
            continue
        if gt_page.key in used:
            unmatched.append(f"output page {out_page.number} ({out_page.source}) matches {gt_page.path.name} again")
            continue
        used.add(gt_page.key)
        results.append(
            evaluate_page(
                gt_page.text,
                out_page.text,
                profile,
                number=out_page.number,
                source=out_page.source,
                ground_truth=str(gt_page.path),
                output=out_page,
                gt_layout=gt_page.layout,
            )
        )
    for gt_page in gt.pages:
        if gt_page.key not in used:
            unmatched.append(f"ground-truth page {gt_page.path.name} matches no output page")
    return DocumentAccuracy(gt.name, tuple(results), tuple(unmatched), doc.source)


def read_output(path: Path) -> DocumentResult:
    """A run's document JSON, as :meth:`DocumentResult.to_dict` wrote it."""
    try:
        return DocumentResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EvaluationError(f"unreadable output ({exc.__class__.__name__}: {exc})", path=path) from None


def output_documents(out_dir: Path) -> dict[str, Path]:
    """``OUT/<doc>/<doc>.json`` of every document the run wrote, by name."""
    if not out_dir.is_dir():
        raise EvaluationError("output folder not found", path=out_dir)
    return {p.parent.name: p for p in out_dir.glob("*/*.json") if p.stem == p.parent.name and is_document_json(p)}


def is_document_json(path: Path) -> bool:
    """True for a document JSON of a run; False for anything else there (a report, a stray file)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(200)  # the schema is the first key DocumentResult.to_dict writes
    except OSError:
        return False
    return DOCUMENT_SCHEMA.split("/")[0].encode() in head


def summarize(out_dir: Path, gt_dir: Path, profile: str = "default") -> AccuracySummary:
    """Compare every ``OUT/<doc>/<doc>.json`` with the ground truth of the same name."""
    try:
        get_profile(profile)
    except ValueError as exc:
        raise EvaluationError(str(exc)) from None
    if not gt_dir.is_dir():
        raise EvaluationError("ground-truth folder not found", path=gt_dir)
    outputs = output_documents(out_dir)
    docs: list[DocumentAccuracy] = []
    without_gt: list[str] = []
    for name in natsorted(outputs):
        gt = load_document(gt_dir, name)
        if gt is None or (not gt.pages and gt.whole_text is None):
            without_gt.append(name)
            continue
        docs.append(_document(read_output(outputs[name]), gt, profile))
    without_output = natsorted(
        n
        for n in set(document_names(gt_dir)) - set(outputs)
        if (g := load_document(gt_dir, n)) and (g.pages or g.whole_text is not None)
    )
    return AccuracySummary(profile, tuple(docs), tuple(without_gt), tuple(without_output))
