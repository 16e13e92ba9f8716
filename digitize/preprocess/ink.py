"""Colour-ink separation: violet/blue stamp ink and coloured pencil apart from black typewriting.

Colour is judged in CIELAB against the paper, not against white: yellowed paper sits at a positive b*,
so an ink is coloured when its chroma differs clearly from the paper's and it is darker than the paper.
Black typewriting under a stamp is kept in the ink-free image: only pixels no darker than the stamp ink
itself are painted over.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True, eq=False)
class InkSeparation:
    mask: np.ndarray  # bool H x W: where coloured ink is
    ink_free: np.ndarray  # uint8 gray: the OCR image with coloured ink painted as paper
    ink_only: np.ndarray  # uint8 gray: coloured ink alone on white, for stamp and marginalia readers
    fraction: float  # share of the page covered by coloured ink


def coloured_mask(color: np.ndarray, min_chroma: float = 18.0) -> np.ndarray:
    """Bool H x W: pixels of coloured ink (violet, blue, red), judged against the paper's colour."""
    factor = min(1.0, 1600.0 / max(color.shape[:2]))
    small = cv2.resize(color, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else color
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (3, 3), 0), cv2.COLOR_RGB2LAB).astype(np.int16)
    light, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    paper_l, paper_a, paper_b = (int(np.median(c[::4, ::4])) for c in (light, a, b))
    chroma = np.hypot(a - paper_a, b - paper_b)
    coloured = ((chroma > min_chroma) & (paper_l - light > 10)).astype(np.uint8)
    # the anti-aliased fringe of a stamp stroke is greyish, not violet: widen a little
    coloured = cv2.dilate(coloured, np.ones((3, 3), np.uint8))
    if coloured.shape != color.shape[:2]:
        coloured = cv2.resize(coloured, (color.shape[1], color.shape[0]), interpolation=cv2.INTER_NEAREST)
    return coloured > 0


def separate(color: np.ndarray, gray: np.ndarray, min_chroma: float = 18.0) -> InkSeparation:
    """Split coloured ink from ``gray`` (the cleaned OCR image of the same geometry as ``color``)."""
    mask = coloured_mask(color, min_chroma)
    if not mask.any():
        return InkSeparation(mask, gray, np.full_like(gray, 255), 0.0)
    # black typewriting crossing the stamp is darker than any stamp ink: keep it
    stamp_level = float(np.percentile(gray[mask], 10))
    paint = mask & (gray >= stamp_level - 10)
    ink_free = gray.copy()
    ink_free[paint] = 255
    ink_only = np.full_like(gray, 255)
    ink_only[mask] = gray[mask]
    return InkSeparation(mask, ink_free, ink_only, float(mask.mean()))
