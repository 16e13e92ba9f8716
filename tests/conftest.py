"""Shared fixtures: small page images rendered in code, so tests need no binary resources."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
TYPEWRITER_FONT = "/usr/share/fonts/truetype/freefont/FreeMono.ttf"

SAMPLE_LINES = ("ПИШЕВАРИ и наши люди из Тавриза", "сообщают, что КАВАМ оттягивает")


def render_page(lines: tuple[str, ...] = SAMPLE_LINES, size: tuple[int, int] = (1400, 420)) -> Image.Image:
    """A clean 300-dpi strip of typewriter-like Cyrillic text, small enough for fast OCR."""
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(TYPEWRITER_FONT, 42)
    for i, line in enumerate(lines):
        draw.text((60, 60 + i * 90), line, font=font, fill=(20, 20, 20))
    return img


@pytest.fixture
def page_image() -> Callable[..., Image.Image]:
    return render_page


@pytest.fixture
def write_page(tmp_path: Path) -> Callable[..., Path]:
    """Save a rendered page under tmp_path in a given format and return its path."""

    def _write(relative: str, lines: tuple[str, ...] = SAMPLE_LINES, **save_kw: object) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        save_kw.setdefault("dpi", (300, 300))
        render_page(lines).save(path, **save_kw)
        return path

    return _write


def real_scans(sub: str) -> Path:
    """A folder of ../shared/real-scans, or skip the test cleanly where it is absent."""
    folder = SHARED / "real-scans" / sub
    if not folder.is_dir():
        pytest.skip(f"real scans not available here ({folder})")
    return folder
