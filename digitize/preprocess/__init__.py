"""Preprocessing: the image the OCR sees. The scan itself, and so the PDF, is never changed.

:func:`prepare` runs the steps in this order, each a small function in its own module, each recorded as
a :class:`~digitize.models.ProcessingStep` in the page JSON with what it found:

1. ``border`` - dark scan edges touching the image border painted as paper;
2. ``illumination`` - divide by the paper background (uneven light, photocopy grey, yellowing);
3. ``resolution`` - estimate the x-height from the letters and choose a scale bringing it to
   ``target_x_height`` (low-resolution copies are enlarged; the DPI tag is not trusted);
4. ``orientation`` - quarter turns from Tesseract OSD, applied only above a confidence threshold;
5. ``deskew`` - projection-profile skew estimate over +/- ``deskew_max_deg``;
6. ``geometry`` - turns, deskew and scale composed into one affine transform, the page resampled once
   (cubic); ``PreparedPage.to_original_matrix`` is its exact inverse;
7. ``specks`` - isolated specks much smaller than a full stop whitened;
8. ``binarize`` - optional Otsu or Sauvola (default: none, Tesseract thresholds the flattened page);
9. ``ink`` - colour-ink separation.

What a :class:`~digitize.models.PreparedPage` offers:

- ``gray``: the cleaned OCR image with every ink (typewriting, stamps, pencil);
- ``color``: the scan in colour, same geometry as ``gray`` (turned, deskewed, scaled; not flattened);
- ``dpi``: the scan's DPI times the scale applied;
- ``extra["ink_free"]``: ``gray`` with violet/blue stamp ink and coloured pencil painted as paper (black
  typewriting crossing a stamp is kept): what body OCR should read;
- ``extra["ink_mask"]``: bool H x W, where coloured ink is;
- ``extra["ink_only"]``: coloured ink alone on white, for the stamp and marginalia readers;
- ``extra["ocr_dpi"]``: the resolution to tell Tesseract, derived from the measured x-height (a scan's
  DPI tag is often missing or wrong; 20 px x-height reads as 300 dpi typewriting);
- ``extra["x_height"]``: the x-height in pixels of the prepared images.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..config import PreprocessConfig
from ..models import PageImage, PreparedPage, ProcessingStep
from . import binarize, border, geometry, illumination, ink, orientation, textsize
from .deskew import estimate_skew

#: OSD must not hold a page for long: it only decides quarter turns
_OSD_TIMEOUT = 30.0
#: x-height assumed when a page has too few letters to measure (300 dpi typewriting)
_DEFAULT_X_HEIGHT = 20.0
#: x-height of the copy OSD reads
_OSD_X_HEIGHT = 16.0


def prepare(page: PageImage, cfg: PreprocessConfig | None = None) -> PreparedPage:
    """The OCR image of ``page`` and the way back to the scan's pixels (see the module docstring)."""
    cfg = cfg or PreprocessConfig()
    steps: list[ProcessingStep] = []
    rgb = np.ascontiguousarray(page.pixels)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    h, w = gray.shape

    if cfg.remove_borders:
        gray, removed = border.remove_dark_edges(gray)
        steps.append(ProcessingStep("border", {}, removed))
    if cfg.flatten_illumination:
        # a window wider than any stroke and about a letter wide at ordinary scan sizes
        window = max(15, max(h, w) // 40)
        gray = illumination.flatten(gray, window)
        steps.append(ProcessingStep("illumination", {"window": window}, {}))

    x_height = textsize.estimate_x_height(gray)
    scale = textsize.scale_for(x_height, cfg.target_x_height, cfg.min_scale, cfg.max_scale, cfg.scale_tolerance)
    steps.append(
        ProcessingStep(
            "resolution",
            {"target_x_height": cfg.target_x_height, "min_scale": cfg.min_scale, "max_scale": cfg.max_scale},
            {"x_height": round(x_height, 2) if x_height else None, "scale": round(scale, 4)},
        )
    )
    xh = x_height or _DEFAULT_X_HEIGHT * page.dpi / 300.0

    turns = 0
    if cfg.orientation:
        # OSD needs letters, not detail: at an x-height of 16 px it runs in about half the time it takes
        # at 20 and still turns the hard facsimiles and the real low-resolution pages right; at 12 px its
        # confidence on those drops below the threshold (measured, all four turns)
        f = float(np.clip(_OSD_X_HEIGHT / xh, 0.25, 4.0))
        osd_img = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC)
        turns, conf = orientation.detect(
            osd_img,
            dpi=300.0 * _OSD_X_HEIGHT / _DEFAULT_X_HEIGHT,
            min_confidence=cfg.orientation_min_confidence,
            timeout=_OSD_TIMEOUT,
        )
        steps.append(
            ProcessingStep(
                "orientation",
                {"min_confidence": cfg.orientation_min_confidence},
                {"rotate": 90 * turns, "confidence": round(conf, 2)},
            )
        )

    skew = 0.0
    if cfg.deskew:
        # stamps are often set askew: only black ink votes for the angle of the typing
        mono = gray.copy()
        if cfg.ink_separation:
            mono[ink.coloured_mask(rgb, cfg.ink_min_chroma)] = 255
        upright = np.rot90(mono, -turns) if turns else mono
        skew, conf = estimate_skew(upright, cfg.deskew_max_deg, cfg.deskew_step_deg, x_height=xh)
        applied = abs(skew) >= cfg.deskew_min_deg
        steps.append(
            ProcessingStep(
                "deskew",
                {"max_deg": cfg.deskew_max_deg, "step_deg": cfg.deskew_step_deg, "min_deg": cfg.deskew_min_deg},
                {"angle": round(skew, 3), "confidence": round(conf, 3), "applied": applied},
            )
        )
        if not applied:
            skew = 0.0

    matrix, out_w, out_h = geometry.compose(w, h, turns, skew, scale)
    gray = geometry.warp(gray, matrix, out_w, out_h, 255)
    color = geometry.warp(rgb, matrix, out_w, out_h, (255, 255, 255))
    xh *= scale
    steps.append(
        ProcessingStep("geometry", {}, {"width": out_w, "height": out_h, "matrix": matrix[:2].round(5).tolist()})
    )

    if cfg.remove_specks:
        gray, n_specks = binarize.remove_specks(gray, xh)
        steps.append(ProcessingStep("specks", {}, {"removed": n_specks}))
    if cfg.binarize != "none":
        gray = binarize.binarize(gray, cfg.binarize, xh)
        steps.append(ProcessingStep("binarize", {"method": cfg.binarize}, {}))

    extra: dict[str, object] = {"x_height": xh, "ocr_dpi": 300.0 * xh / _DEFAULT_X_HEIGHT}
    if cfg.ink_separation:
        sep = ink.separate(color, gray, cfg.ink_min_chroma)
        extra.update(ink_free=sep.ink_free, ink_mask=sep.mask, ink_only=sep.ink_only, ink_unmixed=sep.unmixed)
        steps.append(ProcessingStep("ink", {"min_chroma": cfg.ink_min_chroma}, {"fraction": round(sep.fraction, 4)}))

    return PreparedPage(
        page=page,
        gray=gray,
        color=color,
        dpi=page.dpi * scale,
        to_original_matrix=geometry.inverse_2x3(matrix),
        rotation=90 * turns,
        skew_deg=skew,
        steps=tuple(steps),
        extra=extra,
    )
