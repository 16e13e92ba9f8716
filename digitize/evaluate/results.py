"""The typed result of an evaluation: pages, documents and the batch, each serialising to JSON.

Everything a report shows comes from these objects: ``report.json`` is :meth:`AccuracySummary.to_dict`,
the CSV and HTML are drawn from the same fields, so the three can never disagree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..models import PageResult
from .fca import FLEX_ZERO, FlexCounts
from .metrics import BOW_ZERO, ZERO, BagOfWords, EditCounts, Segment
from .normalize import DESCRIPTIONS
from .regions import RegionAccuracy, by_type

#: Version of ``report.json`` / ``accuracy.json``; bump on incompatible changes.
REPORT_SCHEMA = "digitize.accuracy/2"
TOP = 50  # confusion pairs and wrong words kept in JSON


def _r(x: float) -> float:
    return round(x, 6)


def _pairs(counter: Counter[tuple[str, str]], keys: tuple[str, str], n: int = TOP) -> list[dict[str, Any]]:
    return [{keys[0]: a, keys[1]: b, "count": c} for (a, b), c in counter.most_common(n)]


@dataclass(frozen=True)
class PageAccuracy:
    """One output page against its ground truth (or a whole document against a whole-document text)."""

    number: int
    source: str
    ground_truth: str  # the ground-truth file
    chars: EditCounts
    words: EditCounts
    exact_chars: EditCounts
    exact_words: EditCounts = ZERO
    bow: BagOfWords = BOW_ZERO
    flex: FlexCounts = FLEX_ZERO
    regions: tuple[RegionAccuracy, ...] = ()
    outside_text: str = ""  # output text outside every ground-truth region (only with PAGE ground truth)
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter, compare=False)
    wrong_words: Counter[tuple[str, str]] = field(default_factory=Counter, compare=False)
    segments: tuple[Segment, ...] = field(default=(), compare=False)  # display alignment for the report
    output: PageResult | None = field(default=None, compare=False)
    gt_layout: PageResult | None = field(default=None, compare=False)

    @property
    def by_type(self) -> dict[str, EditCounts]:
        return by_type(list(self.regions))

    def to_dict(self) -> dict[str, Any]:
        return {
            "page": self.number,
            "source": self.source,
            "ground_truth": self.ground_truth,
            "cer": _r(self.chars.rate),
            "wer": _r(self.words.rate),
            "cer_exact": _r(self.exact_chars.rate),
            "wer_exact": _r(self.exact_words.rate),
            "chars": self.chars.reference_length,
            "words": self.words.reference_length,
            "substitutions": self.chars.substitutions,
            "insertions": self.chars.insertions,
            "deletions": self.chars.deletions,
            "word_edits": self.words.to_dict(),
            "bag_of_words": self.bow.to_dict(),
            "flexible_character_accuracy": _r(self.flex.accuracy),
            "by_region_type": {t: c.to_dict() for t, c in self.by_type.items()},
            "regions": [r.to_dict() for r in self.regions],
            "outside_regions_chars": len(self.outside_text.replace("\n", "")),
            "confusions": _pairs(self.confusions, ("ground_truth", "ocr"), 20),
            "wrong_words": _pairs(self.wrong_words, ("word", "read_as"), 20),
        }


def _sum(items: list[Any], zero: Any) -> Any:
    total = zero
    for x in items:
        total = total + x
    return total


class _Totals:
    """Weighted totals over ``self.all_pages``: shared by documents and the batch."""

    @property
    def all_pages(self) -> tuple[PageAccuracy, ...]:
        raise NotImplementedError

    @property
    def chars(self) -> EditCounts:
        return _sum([p.chars for p in self.all_pages], ZERO)

    @property
    def words(self) -> EditCounts:
        return _sum([p.words for p in self.all_pages], ZERO)

    @property
    def exact_chars(self) -> EditCounts:
        return _sum([p.exact_chars for p in self.all_pages], ZERO)

    @property
    def exact_words(self) -> EditCounts:
        return _sum([p.exact_words for p in self.all_pages], ZERO)

    @property
    def bow(self) -> BagOfWords:
        return _sum([p.bow for p in self.all_pages], BOW_ZERO)

    @property
    def flex(self) -> FlexCounts:
        return _sum([p.flex for p in self.all_pages], FLEX_ZERO)

    @property
    def by_type(self) -> dict[str, EditCounts]:
        return by_type([r for p in self.all_pages for r in p.regions])

    @property
    def mean_page_cer(self) -> float:
        """Unweighted mean of page CERs, over pages whose ground truth is not empty."""
        rates = [p.chars.rate for p in self.all_pages if p.chars.reference_length]
        return sum(rates) / len(rates) if rates else 0.0

    @property
    def confusions(self) -> Counter[tuple[str, str]]:
        return _sum([p.confusions for p in self.all_pages], Counter())

    @property
    def wrong_words(self) -> Counter[tuple[str, str]]:
        return _sum([p.wrong_words for p in self.all_pages], Counter())

    def totals(self) -> dict[str, Any]:
        return {
            "pages": len(self.all_pages),
            "cer": _r(self.chars.rate),
            "cer_exact": _r(self.exact_chars.rate),
            "cer_mean_over_pages": _r(self.mean_page_cer),
            "wer": _r(self.words.rate),
            "wer_exact": _r(self.exact_words.rate),
            "chars": self.chars.reference_length,
            "words": self.words.reference_length,
            "char_edits": self.chars.to_dict(),
            "word_edits": self.words.to_dict(),
            "bag_of_words": self.bow.to_dict(),
            "flexible_character_accuracy": _r(self.flex.accuracy),
            "by_region_type": {t: c.to_dict() for t, c in self.by_type.items()},
        }


@dataclass(frozen=True)
class DocumentAccuracy(_Totals):
    name: str
    pages: tuple[PageAccuracy, ...]
    unmatched: tuple[str, ...] = ()  # output pages with no ground truth, and ground-truth pages never produced
    source: str = ""  # the document's input path as the run recorded it

    @property
    def all_pages(self) -> tuple[PageAccuracy, ...]:
        return self.pages

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.name,
            **self.totals(),
            "pages": [p.to_dict() for p in self.pages],
            "unmatched": list(self.unmatched),
        }


@dataclass(frozen=True)
class AccuracySummary(_Totals):
    profile: str
    documents: tuple[DocumentAccuracy, ...]
    without_ground_truth: tuple[str, ...] = ()
    without_output: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def all_pages(self) -> tuple[PageAccuracy, ...]:
        return tuple(p for d in self.documents for p in d.pages)

    @property
    def unmatched(self) -> list[str]:
        """Everything that could not be paired, in words, for the report's warning list."""
        out = [f"document {n}: output without ground truth" for n in self.without_ground_truth]
        out += [f"document {n}: ground truth without output" for n in self.without_output]
        out += [f"document {d.name}: {u}" for d in self.documents for u in d.unmatched]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": REPORT_SCHEMA,
            "profile": self.profile,
            "profile_description": DESCRIPTIONS[self.profile],
            **self.totals(),
            "confusions": _pairs(self.confusions, ("ground_truth", "ocr")),
            "wrong_words": _pairs(self.wrong_words, ("word", "read_as")),
            "documents": [d.to_dict() for d in self.documents],
            "without_ground_truth": list(self.without_ground_truth),
            "without_output": list(self.without_output),
            "unmatched": self.unmatched,
            "notes": list(self.notes),
        }
