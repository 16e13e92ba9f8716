"""Layout evaluation: per region type precision, recall and F1 at IoU >= 0.5, and a confusion matrix of types.

The judge reads the pipeline's document JSON and PAGE XML ground truth only; it imports nothing that finds or
reads regions, so it cannot share a mistake with what it judges.

Matching, per page: a predicted region and a ground-truth region of the same type whose boxes overlap with
IoU >= the threshold form a true positive; pairs are taken greedily, highest IoU first, each region used once.
Unmatched predictions are false positives, unmatched ground-truth regions false negatives. The confusion matrix
pairs every ground-truth region with the prediction of *any* type that overlaps it best (IoU >= threshold);
ground truth with none counts under ``missed``, predictions overlapping no ground truth under ``spurious``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from natsort import natsorted

from ..errors import EvaluationError, InputError
from ..models import DocumentResult, PageResult, Region, RegionType
from ..pagexml import read_page_xml

LAYOUT_REPORT_SCHEMA = "digitize.layout-report/1"
MISSED = "missed"
SPURIOUS = "spurious"


@dataclass
class TypeScore:
    """Counts for one region type; rates follow from them so that batches add up exactly."""

    type: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else (1.0 if not self.fp else 0.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    def add(self, other: TypeScore) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "support": self.support,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class LayoutScore:
    """Scores of one page, one document or a batch."""

    name: str
    per_type: dict[str, TypeScore] = field(default_factory=dict)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    pages: int = 0

    def type_score(self, t: str) -> TypeScore:
        return self.per_type.setdefault(t, TypeScore(t))

    def add(self, other: LayoutScore) -> None:
        for t, s in other.per_type.items():
            self.type_score(t).add(s)
        self.confusion.update(other.confusion)
        self.pages += other.pages

    @property
    def overall(self) -> TypeScore:
        total = TypeScore("all")
        for s in self.per_type.values():
            total.add(s)
        return total

    def to_dict(self) -> dict[str, Any]:
        order = [str(t) for t in RegionType]
        types = sorted(self.per_type, key=lambda t: order.index(t) if t in order else len(order))
        return {
            "name": self.name,
            "pages": self.pages,
            "per_type": [self.per_type[t].to_dict() for t in types],
            "overall": self.overall.to_dict(),
            "confusion": [{"truth": g, "predicted": p, "count": n} for (g, p), n in sorted(self.confusion.items())],
        }


@dataclass
class LayoutReport:
    iou_threshold: float
    total: LayoutScore
    documents: list[LayoutScore]
    unmatched: list[str]  # "doc" or "doc page N" that had no counterpart, reported rather than skipped

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": LAYOUT_REPORT_SCHEMA,
            "iou_threshold": self.iou_threshold,
            "total": self.total.to_dict(),
            "documents": [d.to_dict() for d in self.documents],
            "unmatched": self.unmatched,
        }


def score_page(predicted: list[Region], truth: list[Region], iou_threshold: float = 0.5) -> LayoutScore:
    """Scores of one page's predicted regions against its ground-truth regions."""
    score = LayoutScore("page", pages=1)
    for t in {str(r.type) for r in predicted} | {str(r.type) for r in truth}:
        preds = [r for r in predicted if str(r.type) == t]
        gts = [r for r in truth if str(r.type) == t]
        pairs = _greedy_pairs(preds, gts, iou_threshold)
        s = score.type_score(t)
        s.tp, s.fp, s.fn = len(pairs), len(preds) - len(pairs), len(gts) - len(pairs)
    used: set[int] = set()
    for g in truth:
        scored = [(p.bbox.iou(g.bbox), str(p.type) == str(g.type), i) for i, p in enumerate(predicted)]
        best = max(scored, default=None)
        if best is None or best[0] < iou_threshold:
            score.confusion[(str(g.type), MISSED)] += 1
        else:
            used.add(best[2])
            score.confusion[(str(g.type), str(predicted[best[2]].type))] += 1
    for i, p in enumerate(predicted):
        if i not in used and not any(p.bbox.iou(g.bbox) >= iou_threshold for g in truth):
            score.confusion[(SPURIOUS, str(p.type))] += 1
    return score


def _greedy_pairs(preds: list[Region], gts: list[Region], threshold: float) -> list[tuple[int, int]]:
    candidates = sorted(
        ((p.bbox.iou(g.bbox), i, j) for i, p in enumerate(preds) for j, g in enumerate(gts)),
        reverse=True,
    )
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for iou, i, j in candidates:
        if iou < threshold:
            break
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        pairs.append((i, j))
    return pairs


def _truth_pages(folder: Path) -> list[Path]:
    return natsorted(p for p in folder.glob("*.xml") if p.is_file())


def _match_pages(doc: DocumentResult, xmls: list[Path]) -> list[tuple[PageResult | None, Path | None]]:
    """Pairs output pages with ground-truth files: by image stem first, then by position."""
    by_stem = {p.stem: p for p in xmls}
    pairs: list[tuple[PageResult | None, Path | None]] = []
    left = list(xmls)
    unpaired: list[PageResult] = []
    for page in doc.pages:
        stem = Path(page.source.split("#")[0]).stem
        if stem in by_stem and by_stem[stem] in left:
            pairs.append((page, by_stem[stem]))
            left.remove(by_stem[stem])
        else:
            unpaired.append(page)
    for page in unpaired:
        pairs.append((page, left.pop(0) if left else None))
    pairs.extend((None, x) for x in left)
    return pairs


def evaluate_document(
    doc: DocumentResult, truth_folder: Path, iou_threshold: float = 0.5
) -> tuple[LayoutScore, list[str]]:
    """Scores of one document against ``truth_folder/*.xml``; also the pages that had no counterpart."""
    score = LayoutScore(doc.name)
    unmatched = []
    for page, xml in _match_pages(doc, _truth_pages(truth_folder)):
        if page is None or xml is None:
            unmatched.append(f"{doc.name} page {page.number if page else xml.stem if xml else '?'}")
            continue
        truth = read_page_xml(xml)
        score.add(score_page(list(page.regions), list(truth.regions), iou_threshold))
    return score, unmatched


def evaluate_layout(out_dir: Path, ground_truth: Path, iou_threshold: float = 0.5) -> LayoutReport:
    """Layout scores of every document in ``out_dir`` (``OUT/<doc>/<doc>.json``) with PAGE XML in ``GT/<doc>/``."""
    if not ground_truth.is_dir():
        raise EvaluationError("ground-truth folder not found", path=ground_truth)
    total = LayoutScore("all")
    documents = []
    unmatched = []
    found = False
    for json_path in natsorted(out_dir.glob("*/*.json")):
        if json_path.stem != json_path.parent.name:
            continue
        try:
            doc = DocumentResult.from_dict(json.loads(json_path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError) as exc:
            raise InputError(f"cannot read document JSON: {exc}", path=json_path) from None
        truth_folder = ground_truth / doc.name
        if not truth_folder.is_dir() or not _truth_pages(truth_folder):
            unmatched.append(doc.name)
            continue
        found = True
        score, missing = evaluate_document(doc, truth_folder, iou_threshold)
        documents.append(score)
        total.add(score)
        unmatched.extend(missing)
    if not found:
        raise EvaluationError("no document in the output has PAGE XML ground truth", path=ground_truth)
    return LayoutReport(iou_threshold, total, documents, unmatched)
