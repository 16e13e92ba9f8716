"""Ink separation in CIELAB: violet/blue stamp ink, red ink or pencil, and black or grey (typewriting, pencil).

Colour is judged against the paper and against neutral grey both: yellowed paper sits at a positive b*, so an
ink counts as violet/blue when its b* is well below the paper's *and* below neutral (black on yellow paper is
below the paper's b* too, but neutral), and as red when its a* is well above both. Darkness
is likewise measured as L* below the paper's L*. Everything here is plain numpy/OpenCV over the prepared
colour image, so the masks share the geometry of the OCR image.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..models import PreparedPage


@dataclass(frozen=True, eq=False)
class InkMasks:
    """Boolean masks (H x W) of the prepared page, and the grey images each reader sees."""

    dark: np.ndarray  # black/grey ink: typewriting, pencil, black handwriting
    blue: np.ndarray  # violet/blue ink: stamps, ink handwriting, rubber-stamped telegraph blocks
    red: np.ndarray  # red ink or red pencil
    ocr_image: np.ndarray  # grey with coloured ink painted over in paper tone: what body OCR reads
    colour_image: np.ndarray  # grey of coloured ink only, on white: what the stamp reader reads
    # the typing as preprocessing unmixed it from stamp ink (else ``ocr_image``): what body text is read from.
    # ``ocr_image`` paints over pixels as light as stamp ink, and with them faint letters a stamp crosses
    typing_image: np.ndarray
    paper_level: int  # grey level of the paper
    hue: np.ndarray | None = None  # int16 Lab hue angle in degrees (violet about -40, blue ink about -70)


def separate(prepared: PreparedPage, chroma_delta: float = 14.0, dark_delta: float = 40.0) -> InkMasks:
    """Masks of the inks on a prepared page; uses ``extra["ink_free"]`` from preprocessing when present."""
    gray = np.asarray(prepared.gray)
    colour = np.asarray(prepared.color)
    if colour.ndim == 2:
        colour = cv2.cvtColor(colour, cv2.COLOR_GRAY2RGB)
    if colour.shape[:2] != gray.shape[:2]:
        colour = cv2.resize(colour, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_AREA)
    # a light blur so JPEG chroma noise does not light up single pixels
    lab = cv2.cvtColor(cv2.GaussianBlur(colour, (3, 3), 0), cv2.COLOR_RGB2LAB).astype(np.int16)
    L, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    step = max(1, int(min(gray.shape) // 400))  # a sparse sample is enough for the paper's median
    paper_l = int(np.median(L[::step, ::step]))
    paper_a = int(np.median(a[::step, ::step]))
    paper_b = int(np.median(b[::step, ::step]))
    da, db = a - paper_a, b - paper_b
    darker = paper_l - L
    # Ink multiplies the paper, so black on yellowed paper sits *below* the paper's b* as well: the ink must be
    # blue/red in itself (b*/a* away from neutral 128) and away from the paper, both.
    blue_strong = (db < -chroma_delta) & (b - 128 < -0.6 * chroma_delta) & (darker > 12) & (da > -2 * chroma_delta)
    red_strong = (da > chroma_delta) & (a - 128 > chroma_delta) & (db > -chroma_delta) & (darker > 12)
    # faded stamp ink is only weakly coloured: keep weak pixels that are connected to strong ones (hysteresis)
    blue_weak = (db < -0.5 * chroma_delta) & (b - 128 < -0.25 * chroma_delta) & (darker > 12)
    red_weak = (da > 0.5 * chroma_delta) & (a - 128 > 0.5 * chroma_delta) & (darker > 12)
    blue = _hysteresis(blue_weak | blue_strong, blue_strong)
    red = _hysteresis(red_weak | red_strong, red_strong)
    coloured = blue | red
    paper_gray = int(np.median(gray[::step, ::step]))
    # the rim of a coloured stroke is darker than paper but hardly coloured: keep it out of ``dark`` too
    fringe = cv2.dilate(coloured.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    dark = (paper_gray - gray.astype(np.int16) > dark_delta) & ~fringe

    ink_free = prepared.extra.get("ink_free") if prepared.extra else None
    # start from preprocessing's ink-free image when it offers one, and paint what this mask finds as well
    # (dark blue handwriting that a stamp-level threshold leaves behind)
    have = ink_free is not None and np.asarray(ink_free).shape == gray.shape
    ocr_image = np.array(ink_free, copy=True) if have else gray.copy()
    # widen the mask a little: the anti-aliased fringe of a stroke is greyish, not violet
    grown = cv2.dilate(coloured.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    # black typewriting under a stamp is darker than the stamp's ink alone: only pixels no darker than most of the
    # coloured ink are painted, so letters crossed by a stamp keep their strokes
    typing_image = np.array(ocr_image, copy=True) if have and prepared.extra.get("ink_unmixed") else ocr_image
    if coloured.any():
        ink_level = float(np.percentile(gray[coloured], 10))
        paint = grown & (gray.astype(np.int16) >= ink_level - 8)
        ocr_image[paint] = max(paper_gray, int(np.median(ocr_image[::step, ::step])))
    colour_image = np.full_like(gray, 255)
    colour_image[coloured] = np.clip(gray[coloured].astype(np.int16) - 40, 0, 255).astype(np.uint8)
    hue = np.degrees(np.arctan2(b - 128, a - 128)).astype(np.int16)
    return InkMasks(dark, blue, red, ocr_image, colour_image, typing_image, paper_gray, hue)


def _hysteresis(weak: np.ndarray, strong: np.ndarray) -> np.ndarray:
    """Pixels of ``weak`` in connected components that contain at least a few ``strong`` pixels."""
    n, labels = cv2.connectedComponents(weak.astype(np.uint8), connectivity=8)
    if n <= 1:
        return strong
    counts = np.bincount(labels[strong], minlength=n)
    keep = counts >= 3
    keep[0] = False
    return keep[labels]
