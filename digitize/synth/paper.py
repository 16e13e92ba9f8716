"""Paper and scanner: yellowing, grain, stains, folds, bleed-through; skew, warp, blur, noise, dark border.

Pages are float32 RGB in 0..1 while they are made. The scanner's geometry (skew and warp) is one inverse map
applied with ``cv2.remap``; :class:`ScanGeometry` maps points forward through it so that the PAGE XML polygons
follow the ink.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .ink import smooth_noise
from .knobs import Knobs

_DARK = (0.09, 0.09, 0.10)  # scanner lid seen past the edge of the sheet


def paper(shape: tuple[int, int], knobs: Knobs, rng: np.random.Generator, dpi: float) -> np.ndarray:
    """A sheet of aged paper: tint, blotchy tone, grain and fibres, stains, fold lines."""
    h, w = shape
    s = dpi / 300.0
    white = np.array([0.965, 0.955, 0.93], np.float32)
    yellow = np.array([0.90, 0.82, 0.64], np.float32)
    tint = white + (yellow - white) * knobs.yellowing * rng.uniform(0.8, 1.2)
    tone = smooth_noise((h, w), 400 * s, rng)
    shade = 1.0 - 0.05 * knobs.yellowing * (tone - 0.5) * 2 - 0.015
    page = np.empty((h, w, 3), np.float32)
    page[:] = tint
    page *= shade[..., None]
    if knobs.texture > 0:
        grain = rng.standard_normal((h, w), dtype=np.float32) * np.float32(0.035 * knobs.texture)
        grain = np.asarray(cv2.GaussianBlur(grain, (0, 0), 0.8 * s))
        fibres = np.zeros((h, w), np.float32)
        for _ in range(int(400 * knobs.texture * (h * w) / (3508 * 2480))):
            x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
            a = rng.uniform(0, math.pi)
            ln = rng.uniform(8, 40) * s
            cv2.line(fibres, (x0, y0), (int(x0 + ln * math.cos(a)), int(y0 + ln * math.sin(a))), 1.0, 1, cv2.LINE_AA)
        page *= (1.0 + grain - 0.06 * knobs.texture * fibres)[..., None]
    for _ in range(knobs.stains):
        _stain(page, rng, s)
    for _ in range(knobs.folds):
        _fold(page, rng, s)
    return page


def _stain(page: np.ndarray, rng: np.random.Generator, s: float) -> None:
    """A water or foxing stain: a brownish blot with a darker tide line."""
    h, w = page.shape[:2]
    r = rng.uniform(60, 260) * s
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    x0, x1 = int(max(0, cx - 1.6 * r)), int(min(w, cx + 1.6 * r))
    y0, y1 = int(max(0, cy - 1.6 * r)), int(min(h, cy + 1.6 * r))
    if x1 <= x0 or y1 <= y0:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    wobble = smooth_noise((y1 - y0, x1 - x0), r / 2, rng) * 0.5 + 0.75
    d = np.sqrt(((xx - cx) / r) ** 2 + ((yy - cy) / (r * rng.uniform(0.6, 1.2))) ** 2) / wobble
    body = np.clip(1.0 - d, 0, 1) ** 0.5 * 0.06
    tide = np.exp(-(((d - 1.0) / 0.05) ** 2)) * 0.08
    amount = (body + tide)[..., None] * np.array([0.6, 0.9, 1.6], np.float32)
    page[y0:y1, x0:x1] *= 1.0 - amount * rng.uniform(0.5, 1.0)


def _fold(page: np.ndarray, rng: np.random.Generator, s: float) -> None:
    """A fold: a thin dark crease with light falling off on one side of it."""
    h, w = page.shape[:2]
    if rng.random() < 0.6:
        pos = int(h * rng.uniform(0.3, 0.7))
        d = np.abs(np.arange(h, dtype=np.float32) - pos)[:, None]
        signed = (np.arange(h, dtype=np.float32) - pos)[:, None]
    else:
        pos = int(w * rng.uniform(0.4, 0.6))
        d = np.abs(np.arange(w, dtype=np.float32) - pos)[None, :]
        signed = (np.arange(w, dtype=np.float32) - pos)[None, :]
    crease = np.exp(-((d / (2.0 * s)) ** 2)) * 0.12
    side = np.where(signed > 0, np.exp(-d / (60 * s)) * 0.04, 0.0)
    page *= (1.0 - crease - side)[..., None].astype(np.float32)


def bleed_through(
    page: np.ndarray, back_ink: np.ndarray, strength: float, rng: np.random.Generator, dpi: float
) -> None:
    """Text from the back of the sheet, mirrored and diffused through the paper."""
    if strength <= 0 or not back_ink.any():
        return
    h, w = back_ink.shape
    small = cv2.resize(back_ink[:, ::-1], (w // 4, h // 4), interpolation=cv2.INTER_AREA)
    shift = np.array([[1, 0, rng.uniform(-20, 20)], [0, 1, rng.uniform(-30, 30)]], np.float32)
    small = cv2.warpAffine(small, shift, (w // 4, h // 4))
    small = cv2.GaussianBlur(small, (0, 0), 1.2 * dpi / 300.0)
    ghost = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    for c, k in enumerate((0.8, 0.85, 0.9)):  # per channel: no H x W x 3 temporaries
        page[..., c] *= 1.0 - np.float32(strength * k) * ghost


@dataclass(frozen=True)
class ScanGeometry:
    """The scanner's placement of the sheet: output pixel (u, v) shows sheet point A⁻¹(u, v) + warp(u, v)."""

    matrix: np.ndarray  # 2x3 forward affine, sheet -> scan
    warp_x: np.ndarray  # displacement fields (sheet pixels) sampled on the output grid, or empty
    warp_y: np.ndarray

    def forward(self, points: np.ndarray) -> np.ndarray:
        """Sheet points (N x 2) to scan points: solve out = A(p - warp(out)) by fixed-point iteration."""
        a = self.matrix[:, :2]
        t = self.matrix[:, 2]
        out = points @ a.T + t
        if self.warp_x.size:
            h, w = self.warp_x.shape
            for _ in range(3):
                xi = np.clip(out[:, 0], 0, w - 1).astype(int)
                yi = np.clip(out[:, 1], 0, h - 1).astype(int)
                d = np.stack([self.warp_x[yi, xi], self.warp_y[yi, xi]], axis=1)
                out = (points - d) @ a.T + t
        return out


def scan_geometry(shape: tuple[int, int], knobs: Knobs, rng: np.random.Generator, dpi: float) -> ScanGeometry:
    """Skew about the centre, a shift that shows a dark edge, and a smooth warp."""
    h, w = shape
    angle = rng.uniform(-knobs.skew_deg, knobs.skew_deg) if knobs.skew_deg > 0 else 0.0
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    border = knobs.dark_border_px * dpi / 300.0
    if border > 0:
        side = int(rng.integers(0, 4))
        m[0, 2] += (border, -border, 0, 0)[side]
        m[1, 2] += (0, 0, border, -border)[side]
    if knobs.warp_px > 0:
        amp = knobs.warp_px * dpi / 300.0
        wx = (smooth_noise((h, w), 900 * dpi / 300.0, rng) - 0.5) * 2 * amp
        wy = (smooth_noise((h, w), 900 * dpi / 300.0, rng) - 0.5) * 2 * amp
    else:
        wx = wy = np.zeros((0, 0), np.float32)
    return ScanGeometry(m.astype(np.float64), wx.astype(np.float32), wy.astype(np.float32))


def apply_geometry(image: np.ndarray, geo: ScanGeometry, border_value: float | tuple[float, ...]) -> np.ndarray:
    """Resample a sheet image (or an ink mask) into scan coordinates."""
    h, w = image.shape[:2]
    inv = cv2.invertAffineTransform(geo.matrix)
    u = np.arange(w, dtype=np.float32)[None, :]
    v = np.arange(h, dtype=np.float32)[:, None]
    map_x = (inv[0, 0] * u + inv[0, 1] * v + inv[0, 2]).astype(np.float32)
    map_y = (inv[1, 0] * u + inv[1, 1] * v + inv[1, 2]).astype(np.float32)
    if geo.warp_x.size:
        map_x += geo.warp_x
        map_y += geo.warp_y
    return cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border_value)


def scanner(page: np.ndarray, geo: ScanGeometry, knobs: Knobs, rng: np.random.Generator, dpi: float) -> np.ndarray:
    """The sheet as the scanner saw it, as uint8 RGB: placed, warped, blurred, noisy, shadowed at the edge."""
    img = apply_geometry(page, geo, _DARK)
    # the sheet's edge casts a soft shadow on the scanner lid and darkens the paper next to it
    if knobs.blur_sigma > 0:
        img = cv2.GaussianBlur(img, (0, 0), knobs.blur_sigma * dpi / 300.0)
    if knobs.noise_sigma > 0:
        h, w = img.shape[:2]
        noise = rng.standard_normal((h, w), dtype=np.float32) * np.float32(knobs.noise_sigma / 255.0)
        img += noise[..., None]
    np.clip(img, 0.0, 1.0, out=img)
    img *= 255.0
    img += 0.5
    return img.astype(np.uint8)
