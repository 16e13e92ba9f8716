"""Edit-distance and bag-of-words metrics over grapheme clusters.

Every metric returns its rate together with its weight (the ground-truth length it was measured on),
so that pages aggregate into documents and batches by weight, not by averaging rates. The counting
containers (:class:`EditCounts`, :class:`BagOfWords`) add up with ``+`` for the same reason.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

# Joiners and variation selectors belong to the cluster before them, like combining marks.
_EXTENDERS = frozenset({"\u200d", "\u034f"} | {chr(c) for c in range(0xFE00, 0xFE10)})
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


@dataclass(frozen=True)
class EditCounts:
    """Levenshtein alignment counts of a hypothesis against a reference."""

    substitutions: int
    insertions: int
    deletions: int
    reference_length: int

    @property
    def edits(self) -> int:
        return self.substitutions + self.insertions + self.deletions

    @property
    def rate(self) -> float:
        """Edits over reference length; an empty reference gives 0 if the hypothesis is empty, else 1."""
        if self.reference_length == 0:
            return 0.0 if self.edits == 0 else 1.0
        return self.edits / self.reference_length

    def __add__(self, other: EditCounts) -> EditCounts:
        return EditCounts(
            self.substitutions + other.substitutions,
            self.insertions + other.insertions,
            self.deletions + other.deletions,
            self.reference_length + other.reference_length,
        )

    def to_dict(self) -> dict[str, int | float]:
        return {
            "rate": round(self.rate, 6),
            "length": self.reference_length,
            "substitutions": self.substitutions,
            "insertions": self.insertions,
            "deletions": self.deletions,
        }


ZERO = EditCounts(0, 0, 0, 0)


@dataclass(frozen=True)
class BagOfWords:
    """Words found regardless of order: ``found`` is the multiset intersection of both word bags."""

    found: int
    reference_words: int
    hypothesis_words: int

    @property
    def precision(self) -> float:
        """Share of output words that are in the ground truth; 1 when the output has no words."""
        return self.found / self.hypothesis_words if self.hypothesis_words else 1.0

    @property
    def recall(self) -> float:
        """Share of ground-truth words found in the output; 1 when the ground truth has no words."""
        return self.found / self.reference_words if self.reference_words else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: BagOfWords) -> BagOfWords:
        return BagOfWords(
            self.found + other.found,
            self.reference_words + other.reference_words,
            self.hypothesis_words + other.hypothesis_words,
        )

    def to_dict(self) -> dict[str, int | float]:
        return {
            "precision": round(self.precision, 6),
            "recall": round(self.recall, 6),
            "f1": round(self.f1, 6),
            "found": self.found,
            "reference_words": self.reference_words,
            "hypothesis_words": self.hypothesis_words,
        }


BOW_ZERO = BagOfWords(0, 0, 0)


@dataclass(frozen=True)
class Segment:
    """One stretch of an alignment: ``equal``, ``replace``, ``delete`` (only in the reference) or ``insert``."""

    tag: str
    reference: str
    hypothesis: str


@functools.cache
def _joining() -> frozenset[str]:
    """Every code point that joins the character before it (built once: a scan of the first three planes)."""
    return frozenset(chr(c) for c in range(0x30000) if unicodedata.combining(chr(c))) | _EXTENDERS


def graphemes(text: str) -> list[str]:
    """Split NFC text into user-perceived characters (a base letter with its combining marks)."""
    text = unicodedata.normalize("NFC", text)
    if _joining().isdisjoint(text):  # the usual case after NFC: one code point per character
        return list(text)
    out: list[str] = []
    for ch in text:
        if out and (unicodedata.combining(ch) or ch in _EXTENDERS or out[-1][-1] == "\u200d"):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def opcodes(reference: list[str], hypothesis: list[str]) -> list[tuple[str, int, int, int, int]]:
    """Levenshtein opcodes ``(tag, ref start, ref end, hyp start, hyp end)`` of two sequences."""
    ops = Levenshtein.opcodes(reference, hypothesis)
    return [(op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end) for op in ops]


def _counts(reference: list[str], hypothesis: list[str]) -> EditCounts:
    s = i = d = 0
    for tag, r0, r1, h0, h1 in opcodes(reference, hypothesis):
        if tag == "replace":
            s += r1 - r0
        elif tag == "delete":
            d += r1 - r0
        elif tag == "insert":
            i += h1 - h0
    return EditCounts(s, i, d, len(reference))


def character_errors(reference: str, hypothesis: str) -> EditCounts:
    """Character edits of ``hypothesis`` against ``reference`` (grapheme clusters, NFC)."""
    return _counts(graphemes(reference), graphemes(hypothesis))


def word_errors(reference: str, hypothesis: str) -> EditCounts:
    """Word edits, words being whitespace-separated tokens."""
    return _counts(reference.split(), hypothesis.split())


def cer(reference: str, hypothesis: str) -> tuple[float, int]:
    """Character error rate and its weight (reference length in characters)."""
    c = character_errors(reference, hypothesis)
    return c.rate, c.reference_length


def wer(reference: str, hypothesis: str) -> tuple[float, int]:
    """Word error rate and its weight (reference length in words)."""
    c = word_errors(reference, hypothesis)
    return c.rate, c.reference_length


def bag_words(text: str) -> list[str]:
    """The words of ``text`` for the bag-of-words measure: letter/digit runs, punctuation dropped."""
    return _WORD.findall(text)


def bag_of_words(reference: str, hypothesis: str) -> BagOfWords:
    """Order-free word matching: what a full-text search would find and miss."""
    ref, hyp = Counter(bag_words(reference)), Counter(bag_words(hypothesis))
    return BagOfWords(sum((ref & hyp).values()), sum(ref.values()), sum(hyp.values()))


def bow_f1(reference: str, hypothesis: str) -> tuple[float, int]:
    """Bag-of-words F1 and its weight (reference length in words)."""
    b = bag_of_words(reference, hypothesis)
    return b.f1, b.reference_words


def align(reference: list[str], hypothesis: list[str]) -> list[Segment]:
    """The Levenshtein alignment as segments of joined items (pass graphemes, or words with spaces)."""
    return [
        Segment(tag, "".join(reference[r0:r1]), "".join(hypothesis[h0:h1]))
        for tag, r0, r1, h0, h1 in opcodes(reference, hypothesis)
    ]


def character_alignment(reference: str, hypothesis: str) -> tuple[EditCounts, list[Segment]]:
    """Counts and segments of one character alignment (computed once, used for both)."""
    ref, hyp = graphemes(reference), graphemes(hypothesis)
    counts, segments = [0, 0, 0], []
    for tag, r0, r1, h0, h1 in opcodes(ref, hyp):
        segments.append(Segment(tag, "".join(ref[r0:r1]), "".join(hyp[h0:h1])))
        if tag == "replace":
            counts[0] += r1 - r0
        elif tag == "insert":
            counts[1] += h1 - h0
        elif tag == "delete":
            counts[2] += r1 - r0
    return EditCounts(counts[0], counts[1], counts[2], len(ref)), segments


def confusions(segments: list[Segment]) -> Counter[tuple[str, str]]:
    """(ground truth, OCR) pairs of substituted characters; a deletion pairs with "", an insertion with ""."""
    out: Counter[tuple[str, str]] = Counter()
    for seg in segments:
        if seg.tag == "equal":
            continue
        # display segments show line breaks where the metric text has spaces
        ref_text, hyp_text = seg.reference.replace("\n", " "), seg.hypothesis.replace("\n", " ")
        ref, hyp = graphemes(ref_text), graphemes(hyp_text)
        if seg.tag == "replace" and len(ref) == len(hyp):
            out.update(zip(ref, hyp, strict=True))
        elif seg.tag == "replace":  # an uneven block (м read as rn): one pair for the whole block
            out[(ref_text, hyp_text)] += 1
        elif seg.tag == "delete":
            out.update((g, "") for g in ref)
        else:
            out.update(("", g) for g in hyp)
    return out


def wrong_words(reference: str, hypothesis: str) -> Counter[tuple[str, str]]:
    """Ground-truth words the OCR got wrong, each with what was read in its place ("" if dropped)."""
    ref, hyp = reference.split(), hypothesis.split()
    out: Counter[tuple[str, str]] = Counter()
    for tag, r0, r1, h0, h1 in opcodes(ref, hyp):
        if tag == "replace" and r1 - r0 == h1 - h0:
            out.update(zip(ref[r0:r1], hyp[h0:h1], strict=True))
        elif tag in ("replace", "delete"):
            read = " ".join(hyp[h0:h1])
            out.update((w, read) for w in ref[r0:r1])
    return out
