"""Rubber stamps and ruled boxes: round and rectangular stamps with text along the rim, unevenly inked."""

from __future__ import annotations

import math

import cv2
import numpy as np
from PIL import Image, ImageDraw

from .ink import InkPatch, _font, _rotate, smooth_noise


def _stamp_texture(mask: np.ndarray, gaps: float, rng: np.random.Generator, dpi: float) -> np.ndarray:
    """Uneven rubber-stamp inking: the stamp pressed harder on one side, and a smooth field that thins the ink,
    in places to nothing."""
    h, w = mask.shape
    field = smooth_noise((h, w), max(4.0, 40 * dpi / 300.0), rng)
    a = rng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = ((xx - w / 2) * math.cos(a) + (yy - h / 2) * math.sin(a)) / max(1.0, max(h, w) / 2)  # -1..1
    tilt = 1.0 - gaps * rng.uniform(0.3, 0.8) * (ramp + 1.0) / 2
    strength = np.clip((1.15 - gaps * 1.4 * field) * tilt, 0.0, 1.0)
    speckle = np.asarray(rng.uniform(1 - gaps * 0.6, 1.0, size=mask.shape), np.float32)
    return (mask * strength * speckle * 0.9).astype(np.float32)


def _inked(img: Image.Image, angle: float, gaps: float, rng: np.random.Generator, dpi: float) -> np.ndarray:
    """A drawn stamp (white on black) as an ink mask: turned by ``angle`` and unevenly inked."""
    mask = _rotate(np.asarray(img, dtype=np.float32) / 255.0, angle)
    return _stamp_texture(mask, gaps, rng, dpi)


def stamp_round(
    rim: str,
    center: str,
    *,
    cx: int,
    cy: int,
    diameter_px: int,
    angle: float,
    ink: str,
    gaps: float,
    dpi: float,
    rng: np.random.Generator,
) -> InkPatch:
    """A round rubber stamp: two rings, the rim text set along the circle, a line or two in the middle."""
    size = diameter_px + 8
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    c = size / 2
    r_out = diameter_px / 2
    lw = max(2, int(diameter_px * 0.018))
    draw.ellipse((c - r_out, c - r_out, c + r_out, c + r_out), outline=255, width=lw)
    r_in = r_out * 0.68
    draw.ellipse((c - r_in, c - r_in, c + r_in, c + r_in), outline=255, width=max(1, lw - 1))
    glyph_px = int((r_out - r_in) * 0.62)
    font = _font("stamp", glyph_px)
    r_text = (r_out + r_in) / 2
    n = max(1, len(rim))
    for i, ch in enumerate(rim):
        theta = -math.pi / 2 + 2 * math.pi * (i + 0.5) / (n + 1)  # leave a gap where the rim text closes
        gx, gy = c + r_text * math.cos(theta), c + r_text * math.sin(theta)
        gimg = Image.new("L", (glyph_px * 2, glyph_px * 2), 0)
        ImageDraw.Draw(gimg).text((glyph_px, glyph_px), ch, font=font, fill=255, anchor="mm")
        gimg = gimg.rotate(-math.degrees(theta) - 90, resample=Image.Resampling.BILINEAR)
        img.paste(255, (int(gx - glyph_px), int(gy - glyph_px)), gimg)
    if center:
        cfont = _font("stamp", int(glyph_px * 0.9))
        rows = center.split("\n")
        for k, row in enumerate(rows):
            yy = c + (k - (len(rows) - 1) / 2) * glyph_px * 1.1
            draw.text((c, yy), row, font=cfont, fill=255, anchor="mm")
    mask = _inked(img, angle, gaps, rng, dpi)
    h, w = mask.shape
    return InkPatch(mask, cx - w // 2, cy - h // 2, ink)


def stamp_rect(
    rows: list[str],
    *,
    x: int,
    y: int,
    width_px: int,
    height_px: int,
    angle: float,
    ink: str,
    gaps: float,
    dpi: float,
    rng: np.random.Generator,
) -> InkPatch:
    """A rectangular registration stamp: a double frame with lines of text (left blank for a hand to fill)."""
    img = Image.new("L", (width_px + 8, height_px + 8), 0)
    draw = ImageDraw.Draw(img)
    lw = max(2, int(height_px * 0.025))
    draw.rectangle((4, 4, width_px + 3, height_px + 3), outline=255, width=lw)
    inset = lw * 3
    draw.rectangle(
        (4 + inset, 4 + inset, width_px + 3 - inset, height_px + 3 - inset), outline=255, width=max(1, lw // 2)
    )
    if rows:
        row_h = (height_px - 4 * inset) / len(rows)
        font = _font("stamp", max(6, int(row_h * 0.6)))
        for k, row in enumerate(rows):
            draw.text((4 + 2 * inset, 4 + 2 * inset + k * row_h + row_h / 2), row, font=font, fill=255, anchor="lm")
    mask = _inked(img, angle, gaps, rng, dpi)
    return InkPatch(mask, x, y, ink)


def ruled_box(*, x: int, y: int, width_px: int, height_px: int, dpi: float) -> InkPatch:
    """A printed ruled box, as on a telegraph form."""
    lw = max(1, int(3 * dpi / 300))
    canvas = np.zeros((height_px, width_px), np.float32)
    cv2.rectangle(canvas, (lw, lw), (width_px - 1 - lw, height_px - 1 - lw), 0.85, lw)
    return InkPatch(canvas, x, y, "black")
