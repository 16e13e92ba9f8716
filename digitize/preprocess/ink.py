"""Colour-ink separation: violet/blue stamp ink and coloured pencil apart from black typewriting.

Colour is judged in CIELAB: violet/blue ink sits well below neutral b*, red ink or pencil well above
neutral a*, and both are darker than the paper. Yellowed paper, brown stains and grey typewriting (which
on yellow paper is itself slightly yellow) sit near neutral or at positive b*.
Black typewriting under a stamp is kept in the ink-free image: near coloured ink each pixel is unmixed
into its typewriting and stamp-ink amounts (colour deconvolution, :func:`typewriting_only`) and only the
typewriting is drawn; where the two inks' colours are too alike to unmix, only pixels no darker than the
stamp ink itself are painted over.
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
    unmixed: bool = False  # ink_free came from colour deconvolution, not from painting


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


#: luminance weights of R, G, B: how the grey OCR image weighs the inks' absorbance
_LUMA = np.array([0.299, 0.587, 0.114])
#: below this angle (degrees) between the two inks' colours, unmixing them is noise: paint instead
_MIN_INK_ANGLE = 6.0


#: ln(v + 1) for every 8-bit value: absorbance ``ln((paper + 1) / (pixel + 1))`` by two table look-ups
_LOG1P = np.log1p(np.arange(256, dtype=np.float32))


def _paper(color: np.ndarray) -> np.ndarray:
    """The paper's colour under each pixel, estimated locally (yellowing, shading): a wide median, reduced."""
    small = cv2.resize(color, None, fx=0.125, fy=0.125, interpolation=cv2.INTER_AREA)
    out: np.ndarray = cv2.resize(
        cv2.medianBlur(small, 21), (color.shape[1], color.shape[0]), interpolation=cv2.INTER_LINEAR
    )
    return out


def _absorbance_at(color: np.ndarray, paper: np.ndarray, where: np.ndarray) -> np.ndarray:
    """N x 3 per-channel absorbance ``-ln(pixel / paper)`` (never below 0) of the pixels ``where`` is set."""
    out: np.ndarray = np.clip(_LOG1P[paper[where]] - _LOG1P[color[where]], 0, None)
    return out


def _total_absorbance(color: np.ndarray, paper: np.ndarray) -> np.ndarray:
    """H x W absorbance summed over the channels, a channel at a time (a page of float RGB is 100 MB)."""
    total = np.zeros(color.shape[:2], np.float32)
    for ch in range(color.shape[2]):
        total += np.clip(_LOG1P[paper[..., ch]] - _LOG1P[color[..., ch]], 0, None)
    return total


def _unit(v: np.ndarray) -> np.ndarray:
    out: np.ndarray = v / (np.linalg.norm(v) + 1e-9)
    return out


def typewriting_only(color: np.ndarray, gray: np.ndarray, mask: np.ndarray, reach: int) -> np.ndarray | None:
    """``gray`` with coloured ink unmixed from the typewriting it crosses, within ``reach`` px of ``mask``.

    Inks multiply: a pixel's absorbance is the sum of each ink's amount times that ink's colour (Beer-Lambert).
    With the colours of typewriting and of stamp ink measured on the page, each pixel near a stamp is split
    into the two amounts by least squares (colour deconvolution, as histology separates stains), and the
    typewriting's amount alone is drawn back: a letter crossed by a stamp's ring keeps its stroke, where
    painting the stamp's pixels as paper cut it. None when the two inks' colours are too alike to unmix.
    """
    paper = _paper(color)
    total = _total_absorbance(color, paper)
    near = cv2.dilate(mask.astype(np.uint8), np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)) > 0
    stamp_px = mask & (total > 0.6)
    type_px = ~near & (total > 0.8)
    if stamp_px.sum() < 200 or type_px.sum() < 200:
        return None
    v_stamp = _unit(np.median(_absorbance_at(color, paper, stamp_px), axis=0))
    v_type = _unit(np.median(_absorbance_at(color, paper, type_px), axis=0))
    if np.degrees(np.arccos(float(np.clip(v_stamp @ v_type, -1, 1)))) < _MIN_INK_ANGLE:
        return None
    unmix = np.linalg.pinv(np.stack([v_type, v_stamp], axis=1))  # 2 x 3
    amount_type = np.clip(_absorbance_at(color, paper, near) @ unmix[0], 0, None)
    paper_gray = float(np.median(gray[~near][::7])) if (~near).any() else 255.0
    out = gray.copy()
    out[near] = np.clip(paper_gray * np.exp(-amount_type * float(v_type @ _LUMA)), 0, 255).astype(np.uint8)
    return out


def separate(color: np.ndarray, gray: np.ndarray, min_chroma: float = 12.0) -> InkSeparation:
    """Split coloured ink from ``gray`` (the cleaned OCR image of the same geometry as ``color``)."""
    mask = coloured_mask(color, min_chroma)
    if not mask.any():
        return InkSeparation(mask, gray, np.full_like(gray, 255), 0.0)
    unmixed = typewriting_only(color, gray, mask, reach=max(3, round(max(gray.shape) / 500)))
    if unmixed is not None:
        ink_free = unmixed
    else:
        # black typewriting crossing the stamp is darker than any stamp ink: keep it
        stamp_level = float(np.percentile(gray[mask], 10))
        paint = mask & (gray >= stamp_level - 10)
        ink_free = gray.copy()
        ink_free[paint] = 255
    ink_only = np.full_like(gray, 255)
    ink_only[mask] = gray[mask]
    return InkSeparation(mask, ink_free, ink_only, float(mask.mean()), unmixed is not None)
