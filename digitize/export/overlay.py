"""Overlay PNGs: each page's scan with its regions outlined and labelled in one colour per type.

Drawn on the original scan (regions are in its pixels), downscaled to at most ``max_side`` pixels so that a
folder of overlays stays light. A person checks a layout at a glance from these.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .. import fileio
from ..models import PageImage, PageResult, RegionType

#: One colour per region type, shared with anything else that draws regions.
TYPE_COLOURS: dict[RegionType, tuple[int, int, int]] = {
    RegionType.BODY: (0, 114, 178),
    RegionType.ADDRESSEE: (86, 180, 233),
    RegionType.MARGINALIA: (230, 159, 0),
    RegionType.STAMP: (204, 121, 167),
    RegionType.ARCHIVE_REFERENCE: (120, 60, 20),
    RegionType.SIGNATURE: (0, 158, 115),
    RegionType.FOLIO_NUMBER: (213, 94, 0),
    RegionType.DATE_LINE: (150, 150, 0),
    RegionType.TRANSMISSION_BLOCK: (200, 0, 0),
}
_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def render_overlay(pixels: np.ndarray, page: PageResult, max_side: int = 1600) -> Image.Image:
    """The page with its regions drawn; ``pixels`` is the original scan (RGB or grey)."""
    img = Image.fromarray(np.asarray(pixels)).convert("RGB")
    scale = min(1.0, max_side / max(img.size))
    if scale < 1.0:
        img = img.resize((max(1, int(img.width * scale)), max(1, int(img.height * scale))), Image.Resampling.LANCZOS)
    draw = ImageDraw.Draw(img, "RGBA")
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    font_px = max(10, int(14 * img.width / 1000))
    try:
        font = ImageFont.truetype(_FONT, font_px)
    except OSError:
        font = ImageFont.load_default()
    width = max(2, int(3 * img.width / 1000))
    for n, region in enumerate(page.regions, start=1):
        colour = TYPE_COLOURS[region.type]
        poly = region.polygon or tuple(region.bbox.polygon())
        pts = [(x * scale, y * scale) for x, y in poly]
        draw.polygon(pts, outline=colour + (255,), fill=colour + (40,))
        draw.line(pts + [pts[0]], fill=colour + (255,), width=width)
        label = f"{n} {region.type.value}"
        x, y = region.bbox.x0 * scale, max(0.0, region.bbox.y0 * scale - font_px - 4)
        tb = draw.textbbox((x, y), label, font=font)
        draw.rectangle(tb, fill=(255, 255, 255, 200))
        draw.text((x, y), label, font=font, fill=colour + (255,))
    return img


def write_overlay(image: PageImage, page: PageResult, target: Path, max_side: int = 1600) -> None:
    buf = io.BytesIO()
    # PNG's optimize pass tries every filter and costs ~3 s of CPU per page for a few percent of size
    render_overlay(image.pixels, page, max_side).save(buf, format="PNG", compress_level=6)
    fileio.write_bytes(target, buf.getvalue())
