"""CER and WER of a run's outputs against ground truth, per page, per document and per batch."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from natsort import natsorted

from ..errors import EvaluationError
from .groundtruth import GroundTruthDocument, document_names, load_document, match_page
from .metrics import ZERO, EditCounts, character_errors, word_errors
from .normalize import get_profile


@dataclass(frozen=True)
class PageAccuracy:
    number: int
    source: str
    ground_truth: str
    chars: EditCounts
    words: EditCounts
    exact_chars: EditCounts

    def to_dict(self) -> dict[str, Any]:
        return {
            "page": self.number,
            "source": self.source,
            "ground_truth": self.ground_truth,
            "cer": round(self.chars.rate, 6),
            "wer": round(self.words.rate, 6),
            "cer_exact": round(self.exact_chars.rate, 6),
            "chars": self.chars.reference_length,
            "words": self.words.reference_length,
            "substitutions": self.chars.substitutions,
            "insertions": self.chars.insertions,
            "deletions": self.chars.deletions,
        }


@dataclass(frozen=True)
class DocumentAccuracy:
    name: str
    pages: tuple[PageAccuracy, ...]
    unmatched: tuple[str, ...] = ()  # output pages with no ground truth, and ground-truth pages never produced

    @property
    def chars(self) -> EditCounts:
        return sum((p.chars for p in self.pages), ZERO)

    @property
    def words(self) -> EditCounts:
        return sum((p.words for p in self.pages), ZERO)

    @property
    def exact_chars(self) -> EditCounts:
        return sum((p.exact_chars for p in self.pages), ZERO)

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.name,
            "cer": round(self.chars.rate, 6),
            "wer": round(self.words.rate, 6),
            "cer_exact": round(self.exact_chars.rate, 6),
            "chars": self.chars.reference_length,
            "words": self.words.reference_length,
            "pages": [p.to_dict() for p in self.pages],
            "unmatched": list(self.unmatched),
        }


@dataclass(frozen=True)
class AccuracySummary:
    profile: str
    documents: tuple[DocumentAccuracy, ...]
    without_ground_truth: tuple[str, ...] = ()
    without_output: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def chars(self) -> EditCounts:
        return sum((d.chars for d in self.documents), ZERO)

    @property
    def words(self) -> EditCounts:
        return sum((d.words for d in self.documents), ZERO)

    @property
    def mean_page_cer(self) -> float:
        rates = [p.chars.rate for d in self.documents for p in d.pages]
        return sum(rates) / len(rates) if rates else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": "digitize.accuracy/1",
            "profile": self.profile,
            "cer": round(self.chars.rate, 6),
            "wer": round(self.words.rate, 6),
            "cer_mean_over_pages": round(self.mean_page_cer, 6),
            "chars": self.chars.reference_length,
            "words": self.words.reference_length,
            "documents": [d.to_dict() for d in self.documents],
            "without_ground_truth": list(self.without_ground_truth),
            "without_output": list(self.without_output),
        }


def _document(doc_json: dict[str, Any], gt: GroundTruthDocument, profile: str) -> DocumentAccuracy:
    norm, exact = get_profile(profile), get_profile("exact")
    pages_out = doc_json["pages"]
    texts = ["\n\n".join(r["text"] for r in p["regions"] if r["text"].strip()) for p in pages_out]
    results: list[PageAccuracy] = []
    unmatched: list[str] = []
    if gt.whole_text is not None or not gt.pages:
        ref = gt.text
        hyp = "\f".join(texts)
        results.append(
            PageAccuracy(
                0,
                "(whole document)",
                gt.name,
                character_errors(norm(ref), norm(hyp)),
                word_errors(norm(ref), norm(hyp)),
                character_errors(exact(ref), exact(hyp)),
            )
        )
        return DocumentAccuracy(gt.name, tuple(results))
    used: set[str] = set()
    for page, hyp in zip(pages_out, texts, strict=True):
        gt_page = match_page(gt, page["source"], int(page["number"]))
        if gt_page is None:
            unmatched.append(f"output page {page['number']} ({page['source']}) has no ground truth")
            continue
        used.add(gt_page.key)
        results.append(
            PageAccuracy(
                int(page["number"]),
                page["source"],
                str(gt_page.path),
                character_errors(norm(gt_page.text), norm(hyp)),
                word_errors(norm(gt_page.text), norm(hyp)),
                character_errors(exact(gt_page.text), exact(hyp)),
            )
        )
    for gt_page in gt.pages:
        if gt_page.key not in used:
            unmatched.append(f"ground-truth page {gt_page.path.name} matches no output page")
    return DocumentAccuracy(gt.name, tuple(results), tuple(unmatched))


def summarize(out_dir: Path, gt_dir: Path, profile: str = "default") -> AccuracySummary:
    """Compare every ``OUT/<doc>/<doc>.json`` with the ground truth of the same name."""
    get_profile(profile)
    if not gt_dir.is_dir():
        raise EvaluationError("ground-truth folder not found", path=gt_dir)
    outputs = {p.parent.name: p for p in out_dir.glob("*/*.json") if p.stem == p.parent.name}
    gt_names = set(document_names(gt_dir))
    docs: list[DocumentAccuracy] = []
    without_gt: list[str] = []
    for name in natsorted(outputs):
        gt = load_document(gt_dir, name)
        if gt is None or (not gt.pages and gt.whole_text is None):
            without_gt.append(name)
            continue
        try:
            data = json.loads(outputs[name].read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise EvaluationError(f"unreadable output ({exc})", path=outputs[name]) from None
        docs.append(_document(data, gt, profile))
    without_output = natsorted(
        n for n in gt_names - set(outputs) if (g := load_document(gt_dir, n)) and (g.pages or g.whole_text)
    )
    return AccuracySummary(profile, tuple(docs), tuple(without_gt), tuple(without_output))
