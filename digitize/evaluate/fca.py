"""Flexible character accuracy: a character measure that does not punish reading order.

After C. Clausner, S. Pletschacher, A. Antonacopoulos, "Flexible character accuracy measure for
reading-order-independent evaluation", Pattern Recognition Letters 131 (2020) 390-397. Both texts are cut
into lines; the longest ground-truth lines are matched one at a time to the best-fitting piece of an
output line (sliding the shorter over the longer, chosen by a penalty that weighs edit distance, length
difference, offset and length); matched pieces are removed, leftovers go back into the pool, and what
stays unmatched at the end counts as deleted or inserted. The penalty's coefficients are tried over a
small grid and the best accuracy is kept.

Differences from the paper: all ground-truth lines of the longest length take part in step 3 (as in
dinglehopper's port); a match removes the matched windows from both pools at once (dinglehopper re-queues
a split ground-truth piece, which lets its own leftover take the output line from it); whitespace left over
where a line is cut is not counted; the window search uses rapidfuzz's optimal partial alignment (Indel
distance, where a substitution costs 2) instead of a Python loop; and the coefficient grid is four sets,
not hundreds, which makes a 200-page corpus take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq, Levenshtein

# (edit distance, length difference, offset, length) weights of the penalty. The paper's default comes first;
# the others are corners of its grid. Sets with a zero length or length-difference weight are left out: they
# let a two-character output line "win" against a paragraph, which chops the paragraph two characters at a
# time (quadratic time, and no better score).
COEFFICIENTS: tuple[tuple[int, int, int, int], ...] = ((25, 20, 1, 4), (15, 5, 0, 2), (25, 5, 1, 4), (15, 20, 0, 2))


@dataclass(frozen=True)
class FlexCounts:
    """Errors left after flexible matching, and the ground-truth length they are counted against."""

    errors: int
    reference_length: int

    @property
    def accuracy(self) -> float:
        """``1 - errors / length``; can fall below 0 when the output adds more than the ground truth has."""
        if self.reference_length == 0:
            return 1.0 if self.errors == 0 else 0.0
        return 1.0 - self.errors / self.reference_length

    def __add__(self, other: FlexCounts) -> FlexCounts:
        return FlexCounts(self.errors + other.errors, self.reference_length + other.reference_length)


FLEX_ZERO = FlexCounts(0, 0)


# A window alignment of a ground-truth line with an output line: (gt start, gt end, output start, output end,
# Indel distance = insertions + deletions + 2 x substitutions, Levenshtein distance) of the windows.
_Match = tuple[int, int, int, int, int, int]


def _leftovers(text: str, start: int, end: int) -> list[str]:
    # a sliver of spaces left over is not text anyone wrote
    return [t for t in (text[:start], text[end:]) if t.strip()]


class _Matcher:
    """Window alignments are cached by text, so every coefficient set reuses them."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, str], _Match] = {}

    def match(self, gt: str, ocr: str) -> _Match:
        key = (gt, ocr)
        found = self.cache.get(key)
        if found is None:
            # windows are as long as the shorter line, as in the paper; rapidfuzz only says where
            if len(gt) <= len(ocr):
                s = _window_start(gt, ocr)
                gs, ge, os_, oe = 0, len(gt), s, s + len(gt)
            else:
                s = _window_start(ocr, gt)
                gs, ge, os_, oe = s, s + len(ocr), 0, len(ocr)
            g, o = gt[gs:ge], ocr[os_:oe]
            indel = len(g) + len(o) - 2 * int(LCSseq.similarity(g, o))
            found = self.cache[key] = (gs, ge, os_, oe, indel, Levenshtein.distance(g, o))
        return found


def _window_start(short: str, long: str) -> int:
    a = fuzz.partial_ratio_alignment(short, long)
    start = a.dest_start if a is not None else 0
    return max(0, min(start, len(long) - len(short)))


def _penalty(gt_len: int, ocr_len: int, m: _Match, coef: tuple[int, int, int, int]) -> float:
    c_edit, c_diff, c_offset, c_length = coef
    diff = abs(gt_len - ocr_len)
    offset = 0.0
    if diff > 1:  # how far the window sits from the middle of the longer line: centred fits are suspicious
        pos = max(m[0], m[2])
        offset = diff / 2 - abs(pos - diff / 2)
    return m[4] * c_edit + diff * c_diff + offset * c_offset - min(gt_len, ocr_len) * c_length


def _run(gt_lines: list[str], ocr_lines: list[str], coef: tuple[int, int, int, int], matcher: _Matcher) -> int:
    gt = sorted(gt_lines, key=len, reverse=True)
    ocr = sorted(ocr_lines, key=len, reverse=True)
    errors = 0
    while gt and ocr:
        # step 3: the longest ground-truth line (all of them, when several share that length) picks its
        # best-fitting output line; letting shorter lines compete too costs quadratic time on poor OCR
        best_score, best = -1e18, ("", "", (0, 0, 0, 0, 0, 0))
        longest = len(gt[0])
        for g in gt:
            if len(g) < longest:
                break
            pick_penalty, pick = 1e18, ("", (0, 0, 0, 0, 0, 0))
            for o in ocr:
                m = matcher.match(g, o)
                penalty = _penalty(longest, len(o), m, coef)
                if penalty < pick_penalty:
                    pick_penalty, pick = penalty, (o, m)
            o, m = pick
            score = 1.0 - m[5] / (m[1] - m[0])  # character accuracy of the windows
            if score > best_score:
                best_score, best = score, (g, o, m)
        g, o, m = best
        # step 4: the matched windows leave both pools; what is left of either line goes back in
        errors += m[5]
        gt.remove(g)
        ocr.remove(o)
        gt.extend(_leftovers(g, m[0], m[1]))
        ocr.extend(_leftovers(o, m[2], m[3]))
        gt.sort(key=len, reverse=True)
        ocr.sort(key=len, reverse=True)
    # step 6: what is left unmatched was deleted (ground truth) or inserted (output)
    return errors + sum(map(len, gt)) + sum(map(len, ocr))


def flexible_counts(gt_lines: list[str], ocr_lines: list[str]) -> FlexCounts:
    """Errors of the best flexible matching of two texts given as lines."""
    gt_lines = [ln for ln in gt_lines if ln.strip()]
    ocr_lines = [ln for ln in ocr_lines if ln.strip()]
    length = sum(len(ln) for ln in gt_lines)
    if not gt_lines or not ocr_lines:
        return FlexCounts(length + sum(len(ln) for ln in ocr_lines), length)
    matcher = _Matcher()
    best = None
    for coef in COEFFICIENTS:
        errors = _run(gt_lines, ocr_lines, coef, matcher)
        best = errors if best is None else min(best, errors)
        if best == 0:
            break
    assert best is not None
    return FlexCounts(best, length)


def flexible_character_accuracy(reference: str, hypothesis: str) -> tuple[float, int]:
    """Flexible character accuracy of two texts (lines separated by ``\\n``) and its weight."""
    c = flexible_counts(reference.splitlines(), hypothesis.splitlines())
    return c.accuracy, c.reference_length
