"""What goes on the paper: typed text, handwriting, rubber stamps, signature scrawls and ruled boxes.

Each renderer returns an :class:`InkPatch`: a coverage mask (0..1, float32) in page pixels at a given origin, one
ink colour, and the boxes of its text lines. The page renderer multiplies patches onto the paper, so a stamp over
typed text darkens it the way real ink does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..errors import DependencyError
from ..models import BBox
from .knobs import Knobs

#: Fonts, each with the Debian package that ships it (all have Cyrillic; checked with ``fc-list :lang=ru``).
FONTS: dict[str, tuple[str, str]] = {
    "typewriter": ("/usr/share/fonts/truetype/freefont/FreeMonoBold.ttf", "fonts-freefont-ttf"),
    "typewriter_light": ("/usr/share/fonts/truetype/freefont/FreeMono.ttf", "fonts-freefont-ttf"),
    # URW Chancery (Zapf Chancery clone): a slanted pen hand; jittered per line it reads as handwriting
    "hand": ("/usr/share/fonts/opentype/urw-base35/Z003-MediumItalic.otf", "fonts-urw-base35"),
    "stamp": ("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf", "fonts-dejavu-extra"),
}

#: Ink colours (linear RGB 0..1 of full-strength ink).
INKS: dict[str, tuple[float, float, float]] = {
    "ribbon": (0.07, 0.07, 0.09),
    "carbon": (0.22, 0.24, 0.42),
    "black": (0.10, 0.10, 0.13),
    "pencil": (0.30, 0.30, 0.33),
    "blue": (0.12, 0.20, 0.58),
    "red": (0.72, 0.13, 0.13),
    "violet": (0.42, 0.20, 0.62),
    "stamp_blue": (0.18, 0.28, 0.66),
}

_COUNTER_CHARS = set("оаеэбвдрфёОАВБДРФЭЮюя@ОQ0689")


@dataclass
class InkPatch:
    """Ink of one region: ``mask`` (H x W float32, 0..1) placed with its top-left at ``(x, y)`` on the page."""

    mask: np.ndarray
    x: int
    y: int
    ink: str
    lines: list[tuple[str, BBox]] = field(default_factory=list)  # line text and its box, page pixels

    @property
    def box(self) -> BBox:
        h, w = self.mask.shape
        return BBox(self.x, self.y, self.x + w, self.y + h)

    def ink_box(self, threshold: float = 0.04) -> BBox | None:
        """Box of the pixels that actually carry ink, or None for an empty patch."""
        ys, xs = np.nonzero(self.mask > threshold)
        if len(xs) == 0:
            return None
        return BBox(
            self.x + int(xs.min()), self.y + int(ys.min()), self.x + int(xs.max()) + 1, self.y + int(ys.max()) + 1
        )


def font_path(kind: str) -> str:
    # no fallback face: another font would silently change every pixel of the committed facsimiles
    path, package = FONTS[kind]
    if Path(path).exists():
        return path
    raise DependencyError(f"font for {kind} text not found ({path})", package=package)


@lru_cache(maxsize=64)
def _font(kind: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(kind), size_px)


@lru_cache(maxsize=4096)
def _glyph(kind: str, size_px: int, ch: str) -> tuple[np.ndarray, int, int]:
    """One character's coverage in a cell anchored at the baseline: (mask, x offset, y offset from baseline)."""
    font = _font(kind, size_px)
    x0, y0, x1, y1 = (int(v) for v in font.getbbox(ch, anchor="ls"))
    w, h = max(1, x1 - x0), max(1, y1 - y0)
    img = Image.new("L", (w + 4, h + 4), 0)
    ImageDraw.Draw(img).text((2 - x0, 2 - y0), ch, font=font, fill=255, anchor="ls")
    mask = np.asarray(img, dtype=np.float32) / 255.0
    mask.setflags(write=False)
    return mask, x0 - 2, y0 - 2


def typewriter_pitch(size_px: int) -> float:
    """Horizontal advance of one typed character, pixels (the face is monospaced)."""
    return float(_font("typewriter", size_px).getlength("н"))


def pt_to_px(pt: float, dpi: float) -> int:
    return max(4, int(round(pt * dpi / 72.0)))


def _paste(canvas: np.ndarray, patch: np.ndarray, x: int, y: int, scale: float = 1.0) -> None:
    """Max-composite ``patch`` into ``canvas`` at (x, y), clipped to the canvas."""
    h, w = patch.shape
    cx0, cy0 = max(0, x), max(0, y)
    cx1, cy1 = min(canvas.shape[1], x + w), min(canvas.shape[0], y + h)
    if cx0 >= cx1 or cy0 >= cy1:
        return
    src = patch[cy0 - y : cy1 - y, cx0 - x : cx1 - x]
    np.maximum(canvas[cy0:cy1, cx0:cx1], src * scale, out=canvas[cy0:cy1, cx0:cx1])


def wrap(text: str, max_chars: int, indent: int = 0) -> list[str]:
    """Greedy word wrap at spaces: the lines joined by single spaces give back each paragraph of ``text``."""
    out: list[str] = []
    for para in text.split("\n"):
        words = para.split(" ")
        line = ""
        limit = max(1, max_chars - indent)
        for word in words:
            candidate = word if not line else f"{line} {word}"
            if line and len(candidate) > limit:
                out.append(line)
                line, limit = word, max_chars
            else:
                line = candidate
        out.append(line)
    return out


def typewriter(
    text: str,
    *,
    x: int,
    y: int,
    dpi: float,
    size_pt: float,
    max_width_px: int | None,
    indent: int,
    line_spacing: float,
    knobs: Knobs,
    rng: np.random.Generator,
    align: str = "left",
) -> InkPatch:
    """Typed text on a fixed pitch, each character struck on its own: jitter, pressure, filled or broken type."""
    kind = "typewriter"
    size = pt_to_px(size_pt, dpi)
    font = _font(kind, size)
    advance = font.getlength("н")
    ascent, descent = font.getmetrics()
    pitch = advance  # monospace: one advance per character, spaces included
    max_chars = int(max_width_px // pitch) if max_width_px else 10_000
    lines = wrap(text, max_chars, indent)
    line_h = int(round(size * line_spacing))
    longest = max((len(ln) + (indent if i == 0 else 0)) for i, ln in enumerate(lines)) if lines else 0
    pad = int(size * 0.5)
    width = int(longest * pitch) + 2 * pad
    height = line_h * (len(lines) - 1) + ascent + descent + 2 * pad
    canvas = np.zeros((height, width), np.float32)
    boxes: list[tuple[str, BBox]] = []
    scale_px = dpi / 300.0
    for i, line in enumerate(lines):
        first = indent if i == 0 else 0
        if align == "right":
            first = longest - len(line)
        base = pad + ascent + i * line_h
        lx0, lx1, ly0, ly1 = 10**9, -1, 10**9, -1
        for j, ch in enumerate(line):
            if ch == " ":
                continue
            glyph, gx, gy = _glyph(kind, size, ch)
            g = glyph
            if knobs.filled_glyph_prob and ch in _COUNTER_CHARS and rng.random() < knobs.filled_glyph_prob:
                k = max(3, int(size * 0.12)) | 1
                g = cv2.morphologyEx(g, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
            if knobs.broken_glyph_prob and rng.random() < knobs.broken_glyph_prob:
                g = g.copy()
                for _ in range(int(rng.integers(1, 3))):
                    cy, cx = int(rng.integers(0, g.shape[0])), int(rng.integers(0, g.shape[1]))
                    cv2.circle(g, (cx, cy), max(2, int(size * rng.uniform(0.06, 0.14))), 0.0, -1)
            dx = rng.normal(0, knobs.char_jitter_px * scale_px)
            dy = rng.normal(0, knobs.baseline_wobble_px * scale_px)
            px = int(round(pad + (first + j) * pitch + gx + dx))
            py = int(round(base + gy + dy))
            strength = 1.0 - knobs.pressure_var * float(rng.beta(1.5, 4.0))
            _paste(canvas, g, px, py, strength)
            lx0, lx1 = min(lx0, px), max(lx1, px + g.shape[1])
            ly0, ly1 = min(ly0, py), max(ly1, py + g.shape[0])
        if lx1 >= 0:
            # canvas pixel (cx, cy) is page pixel (x - pad + cx, y - pad + cy)
            boxes.append((line, BBox(x - pad + lx0, y - pad + ly0, x - pad + lx1, y - pad + ly1)))
        elif line:
            boxes.append((line, BBox(x, y - pad + base - ascent, x + 1, y - pad + base)))
    canvas = _spread(canvas, knobs.ink_spread_px * scale_px)
    if knobs.carbon_copy:
        canvas = cv2.GaussianBlur(canvas, (0, 0), 1.2 * scale_px) * 0.8
    return InkPatch(canvas, x - pad, y - pad, "carbon" if knobs.carbon_copy else "ribbon", boxes)


def _spread(mask: np.ndarray, sigma: float) -> np.ndarray:
    """Ink soaking into paper: blur, then a soft threshold that thickens strokes and rounds their ends."""
    if sigma <= 0:
        return mask
    blurred = cv2.GaussianBlur(mask, (0, 0), sigma)
    return np.clip((blurred - 0.12) * 1.6, 0.0, 1.0).astype(np.float32)


def handwriting(
    text: str,
    *,
    x: int,
    y: int,
    dpi: float,
    size_pt: float,
    angle: float,
    ink: str,
    rng: np.random.Generator,
) -> InkPatch:
    """Handwritten lines: a pen hand with wavy baselines, uneven size and slant, each line its own tilt."""
    size = pt_to_px(size_pt, dpi)
    lines = text.split("\n")
    line_h = int(size * 1.15)
    # render each line upright, letter by letter, then warp and tilt it
    pieces: list[tuple[str, np.ndarray, int, int]] = []
    cy = 0
    for line in lines:
        m = _hand_line(line, size, rng)
        m = _wavy(m, amplitude=size * 0.05, period=size * rng.uniform(3, 6), rng=rng)
        tilt = angle + rng.normal(0, 1.2)
        m = _rotate(m, tilt)
        sx = int(rng.normal(0, size * 0.15))
        pieces.append((line, m, sx, cy))
        cy += line_h
    width = max(m.shape[1] + max(0, sx) for _, m, sx, _ in pieces) + size
    height = max(py + m.shape[0] for _, m, _, py in pieces) + size // 2
    canvas = np.zeros((height, width), np.float32)
    boxes: list[tuple[str, BBox]] = []
    for line, m, sx, py in pieces:
        px = max(0, sx) + size // 4
        _paste(canvas, m, px, py)
        ys, xs = np.nonzero(m > 0.04)
        if len(xs):
            boxes.append(
                (
                    line,
                    BBox(
                        x + px + int(xs.min()),
                        y + py + int(ys.min()),
                        x + px + int(xs.max()) + 1,
                        y + py + int(ys.max()) + 1,
                    ),
                )
            )
    if ink == "pencil":
        # graphite catches only the tops of the paper grain
        grain = np.asarray(rng.uniform(0.45, 1.0, size=canvas.shape), np.float32)
        canvas = canvas * grain * 0.85
    else:
        canvas = np.clip(cv2.GaussianBlur(canvas, (0, 0), 0.6 * dpi / 300.0) * 1.3, 0, 1) * rng.uniform(0.8, 1.0)
    return InkPatch(canvas.astype(np.float32), x, y, ink, boxes)


def _hand_line(line: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """One upright handwritten line: each letter a little larger or smaller, higher or lower, more or less slanted,
    and the spacing uneven, so no two copies of a letter are alike."""
    font = _font("hand", size)
    ascent, descent = font.getmetrics()
    width = int(font.getlength(line) * 1.25) + 2 * size
    height = ascent + descent + size
    canvas = np.zeros((height, width), np.float32)
    pen_x = size / 2
    base = size / 2 + ascent
    for ch in line:
        adv = font.getlength(ch)
        if ch != " ":
            g, gx, gy = _glyph("hand", size, ch)
            # letters drawn wider or narrower, taller or shorter than the last one
            kx, ky = float(rng.uniform(0.8, 1.2)), float(rng.uniform(0.8, 1.2))
            g = cv2.resize(
                g, (max(1, int(g.shape[1] * kx)), max(1, int(g.shape[0] * ky))), interpolation=cv2.INTER_LINEAR
            )
            g = _rotate(g, float(rng.normal(0, 6.0)))
            _paste(canvas, g, int(pen_x + gx * kx), int(base + gy * ky + rng.normal(0, size * 0.05)))
        pen_x += adv * float(rng.uniform(0.85, 1.15))
    return _elastic(canvas, amplitude=size * 0.07, scale=size * 0.5, rng=rng)


def _elastic(mask: np.ndarray, *, amplitude: float, scale: float, rng: np.random.Generator) -> np.ndarray:
    """A smooth random displacement: strokes bend and letters lose the exact shapes of the font."""
    h, w = mask.shape
    dx = (smooth_noise((h, w), scale, rng) - 0.5) * 2 * amplitude
    dy = (smooth_noise((h, w), scale, rng) - 0.5) * 2 * amplitude
    map_x = (np.arange(w, dtype=np.float32)[None, :] + dx).astype(np.float32)
    map_y = (np.arange(h, dtype=np.float32)[:, None] + dy).astype(np.float32)
    return cv2.remap(mask, map_x, map_y, cv2.INTER_LINEAR, borderValue=0.0)


def _wavy(mask: np.ndarray, *, amplitude: float, period: float, rng: np.random.Generator) -> np.ndarray:
    h, w = mask.shape
    phase = rng.uniform(0, 2 * math.pi)
    xs = np.arange(w, dtype=np.float32)
    shift = (amplitude * np.sin(2 * math.pi * xs / period + phase)).astype(np.float32)
    map_x = np.tile(xs, (h, 1))
    map_y = (np.arange(h, dtype=np.float32)[:, None] + shift[None, :]).astype(np.float32)
    return cv2.remap(mask, map_x, map_y, cv2.INTER_LINEAR, borderValue=0.0)


def _rotate(mask: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate counter-clockwise by ``degrees``, growing the canvas so nothing is cut."""
    h, w = mask.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * sin + w * cos) + 2, int(h * cos + w * sin) + 2
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(mask, m, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=0.0)


def scrawl(
    *, x: int, y: int, width_px: int, height_px: int, ink: str, dpi: float, rng: np.random.Generator
) -> InkPatch:
    """A signature: a capital loop, a fast run of uneven humps, and a flourish; no legible text."""
    canvas = np.zeros((height_px, width_px), np.uint8)
    thick = max(1, int(round(2.6 * dpi / 300)))
    # the capital: a tall loop at the start
    t = np.linspace(0, 2 * math.pi * rng.uniform(0.8, 1.3), 60)
    cx, cy = width_px * rng.uniform(0.1, 0.2), height_px * 0.45
    rx, ry = width_px * rng.uniform(0.05, 0.1), height_px * rng.uniform(0.25, 0.4)
    cap = np.stack([cx + rx * np.sin(t) + t * width_px * 0.01, cy - ry * np.cos(t)], axis=1)
    # the run: control points with random heights and some backward steps, smoothed
    n = int(rng.integers(7, 14))
    xs = np.cumsum(rng.uniform(-0.2, 1.0, n)) + 0.5
    xs = cx + rx + (xs - xs.min()) / max(1e-6, xs.max() - xs.min()) * (width_px * 0.9 - cx - rx)
    ys = height_px * (0.5 + rng.uniform(-0.32, 0.25, n) * np.where(np.arange(n) % 2, 1, -1))
    tt = np.linspace(0, n - 1, n * 14)
    run = np.stack([np.interp(tt, np.arange(n), xs), np.interp(tt, np.arange(n), ys)], axis=1)
    run = cv2.GaussianBlur(run.astype(np.float32).reshape(-1, 1, 2), (1, 9), 0).reshape(-1, 2)
    stroke = np.concatenate([cap, run], axis=0)
    cv2.polylines(canvas, [stroke.astype(np.int32)], False, 255, thick, cv2.LINE_AA)
    if rng.random() < 0.8:  # the flourish back under the name
        fx = np.linspace(width_px * rng.uniform(0.75, 0.95), width_px * rng.uniform(0.05, 0.3), 50)
        fy = height_px * (rng.uniform(0.72, 0.88) + 0.08 * np.sin(np.linspace(0, math.pi, 50)))
        cv2.polylines(canvas, [np.stack([fx, fy], axis=1).astype(np.int32)], False, 255, thick, cv2.LINE_AA)
    mask = canvas.astype(np.float32) / 255.0
    return InkPatch(mask, x, y, ink)


def smooth_noise(shape: tuple[int, int], scale: float, rng: np.random.Generator) -> np.ndarray:
    """Smooth noise in 0..1 with features about ``scale`` pixels across (random grid, bicubic upscale)."""
    h, w = shape
    gh, gw = max(2, int(h / scale) + 2), max(2, int(w / scale) + 2)
    grid = rng.random((gh, gw)).astype(np.float32)
    out = cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(out, 0.0, 1.0)
