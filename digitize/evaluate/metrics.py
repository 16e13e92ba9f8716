"""Edit-distance metrics over grapheme clusters.

Every metric returns its rate together with its weight (the ground-truth length it was measured on),
so that pages aggregate into documents and batches by weight, not by averaging rates.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein


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


ZERO = EditCounts(0, 0, 0, 0)


def graphemes(text: str) -> list[str]:
    """Split NFC text into user-perceived characters (a base letter with its combining marks)."""
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    for ch in text:
        if out and unicodedata.combining(ch):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _counts(reference: list[str], hypothesis: list[str]) -> EditCounts:
    s = i = d = 0
    for tag, r0, r1, h0, h1 in Levenshtein.opcodes(reference, hypothesis):
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
