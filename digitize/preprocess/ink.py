"""Colour-ink separation: violet/blue stamp ink and coloured pencil apart from black typewriting.

Colour is judged in CIELAB: violet/blue ink sits well below neutral b*, red ink or pencil well above
neutral a*, and both are darker than the paper. Yellowed paper, brown stains and grey typewriting (which
on yellow paper is itself slightly yellow) sit near neutral or at positive b*.
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


def coloured_mask(color: np.ndarray, min_chroma: float = 12.0) -> np.ndarray:
    """Bool H x W: pixels of coloured ink (violet, blue, red), judged against the paper's colour."""
    factor = min(1.0, 1600.0 / max(color.shape[:2]))
    small = cv2.resize(color, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else color
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (3, 3), 0), cv2.COLOR_RGB2LAB).astype(np.int16)
    light, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    paper_l = int(np.median(light[::4, ::4]))
    # judged on absolute a*/b* (128 is neutral in OpenCV's 8-bit Lab): violet and blue lie well below
    # neutral b*, red well above neutral a*; grey typewriting on yellowed paper lies near neutral, and
    # brown stains at positive b*, so neither is taken for coloured ink
    found = ((b - 128 < -min_chroma) | (a - 128 > min_chroma)) & (paper_l - light > 10)
    # the anti-aliased fringe of a stamp stroke is greyish, not violet: widen a little
    grown: np.ndarray = cv2.dilate(found.astype(np.uint8), np.ones((3, 3), np.uint8))
    if grown.shape != color.shape[:2]:
        grown = cv2.resize(grown, (color.shape[1], color.shape[0]), interpolation=cv2.INTER_NEAREST)
    return grown > 0


def separate(color: np.ndarray, gray: np.ndarray, min_chroma: float = 12.0) -> InkSeparation:
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
