"""Finding a run's page images again and making small JPEG copies of them for the report.

The run records its input folder in ``OUT/run.json`` and each document's path in its JSON; a page's
``source`` is the image's file name, with ``#N`` for frame N of a multi-page TIFF or PDF.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from PIL import Image, ImageOps

log = logging.getLogger(__name__)

#: Width of the page images in the report: enough to see regions, small enough for a 200-page report.
REPORT_WIDTH = 1000


def run_input(out_dir: Path) -> Path | None:
    """The input folder ``OUT/run.json`` records, if any."""
    try:
        return Path(json.loads((out_dir / "run.json").read_text(encoding="utf-8"))["input"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def split_label(label: str) -> tuple[str, int]:
    """``"scan.tif#3"`` -> ``("scan.tif", 2)``: the file name and the 0-based frame."""
    name, sep, frame = label.rpartition("#")
    if sep and frame.isdigit():
        return name, int(frame) - 1
    return label, 0


def find_page_image(doc_name: str, doc_source: str, page_label: str, input_dir: Path | None) -> Path | None:
    """The scan a page was read from, trying the recorded document path first, then the run's input folder."""
    name, _ = split_label(page_label)
    recorded = Path(doc_source) if doc_source else None
    candidates: list[Path] = []
    if recorded is not None:
        candidates += [recorded, recorded / name]
    if input_dir is not None:
        candidates += [input_dir / doc_name / name, input_dir / name]
        if recorded is not None and not recorded.is_absolute():
            candidates += [input_dir / recorded.name / name, input_dir / recorded.name]
    for path in candidates:
        if path.is_file() and path.name == name:
            return path
    return None


def _open_frame(path: Path, frame: int) -> Image.Image:
    if path.suffix.lower() == ".pdf":
        import pypdfium2

        pdf = pypdfium2.PdfDocument(path)
        try:
            page = pdf[frame]
            scale = REPORT_WIDTH / max(1.0, page.get_width())
            return page.render(scale=scale).to_pil().convert("RGB")
        finally:
            pdf.close()
    img: Image.Image = Image.open(path)
    if frame:
        img.seek(frame)
    img.draft("RGB", (REPORT_WIDTH, REPORT_WIDTH * 4))  # JPEG decodes at a fraction of the size: much faster
    img = ImageOps.exif_transpose(img)
    return img if img.mode in ("L", "RGB") else img.convert("RGB")


def page_thumbnail(path: Path, frame: int, target: Path) -> tuple[int, int] | None:
    """Write a JPEG at most :data:`REPORT_WIDTH` wide; its size, or None when the scan cannot be read."""
    try:
        img = _open_frame(path, frame)
        if img.width > REPORT_WIDTH:
            # reduce by an integer factor first, then filter: a tenth of the time of LANCZOS from full size
            img.thumbnail((REPORT_WIDTH, img.height), Image.Resampling.BICUBIC, reducing_gap=1.0)
        img.save(target, "JPEG", quality=80, optimize=True)
        return img.size
    except Exception as exc:  # noqa: BLE001 - a page image is decoration; the report goes on without it
        log.warning("%s: page image left out of the report (%s)", path, exc)
        return None
