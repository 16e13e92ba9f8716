"""A contact sheet: pages side by side in one PNG, so a person can see what the generator makes."""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

from .. import fileio
from ..errors import InputError

_THUMB_W = 620
_MAX_PIXELS = 40_000_000


def contact_sheet(images: list[Path], out: Path, *, columns: int | None = None, thumb_width: int = _THUMB_W) -> Path:
    """Write ``out`` (PNG): the pages in rows of ``columns`` (default: about square), each labelled by name."""
    if not images:
        raise InputError("no pages for the contact sheet", path=out)
    cols = columns or max(1, min(len(images), math.ceil(math.sqrt(len(images) * 1.4))))
    # keep the sheet under about 40 megapixels (image viewers and Pillow's bomb check refuse far larger)
    thumb_width = max(120, min(thumb_width, int(math.sqrt(_MAX_PIXELS / (len(images) * 1.5)))))
    thumbs: list[Image.Image] = []
    for path in images:
        try:
            with Image.open(path) as im:
                im.draft("RGB", (thumb_width, thumb_width * 2))  # JPEG: decode at reduced size, much faster
                rgb = im.convert("RGB")
                h = round(rgb.height * thumb_width / rgb.width)
                thumbs.append(rgb.resize((thumb_width, h), Image.Resampling.LANCZOS))
        except OSError as err:
            raise InputError(f"cannot read page for the contact sheet ({err})", path=path) from None
    gap, label = 16, 28
    cell_h = max(t.height for t in thumbs) + label
    rows = math.ceil(len(thumbs) / cols)
    sheet = Image.new("RGB", (cols * (thumb_width + gap) + gap, rows * (cell_h + gap) + gap), (60, 60, 64))
    draw = ImageDraw.Draw(sheet)
    for i, (t, path) in enumerate(zip(thumbs, images, strict=True)):
        x = gap + (i % cols) * (thumb_width + gap)
        y = gap + (i // cols) * (cell_h + gap)
        sheet.paste(t, (x, y + label))
        draw.text((x + 4, y + 6), f"{path.parent.name}/{path.name}", fill=(230, 230, 230))
    with fileio.atomic_path(out) as tmp:
        sheet.save(tmp, "PNG")
    return out
