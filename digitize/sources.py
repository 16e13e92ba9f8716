"""Finding documents in an input folder and loading their pages.

Grouping rules: each sub-folder of the input folder is one document whose pages are its image files in
natural sort order; each loose image file (TIFF, including multi-page, PNG, JPEG, JPEG 2000) and each
PDF is one document. Files are typed by their content, not their extension. Sidecar files (ground
truth, notes) are ignored; anything else that is not an image or PDF is reported as a failed document.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from natsort import natsorted
from PIL import Image, ImageOps, UnidentifiedImageError

from .config import InputConfig
from .errors import InputError
from .models import DocumentSource, PageImage, PageSource

log = logging.getLogger(__name__)

#: Files that may sit beside scans and are not pages (ground truth, metadata, notes).
SIDECAR_SUFFIXES = {".txt", ".xml", ".json", ".md", ".csv", ".html", ".yaml", ".yml", ".log", ".sqlite"}

#: Pages whose DPI claims a page narrower or wider than this (inches) get the fallback DPI instead.
_CREDIBLE_PAGE_INCHES = (2.0, 30.0)


def sniff_kind(path: Path) -> str | None:
    """``"pdf"``, ``"image"`` or None, from the file's first bytes."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError:
        return None
    if b"%PDF-" in head[:1024]:
        return "pdf"
    signatures = (
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff",
        b"II*\x00",
        b"MM\x00*",
        b"II+\x00",  # BigTIFF
        b"MM\x00+",
        b"\x00\x00\x00\x0cjP  \r\n\x87\n",  # JPEG 2000 (JP2)
        b"\xffO\xffQ",  # JPEG 2000 codestream
        b"BM",
    )
    if any(head.startswith(sig) for sig in signatures):
        return "image"
    return None


def safe_name(raw: str) -> str:
    """A document name that is safe as a single path component inside the output folder."""
    name = unicodedata.normalize("NFC", raw)
    name = re.sub(r"[^\w.\-]+", "_", name, flags=re.UNICODE).strip("._")
    return name[:120] or "document"


@dataclass(frozen=True)
class Discovery:
    documents: tuple[DocumentSource, ...]
    rejected: tuple[InputError, ...]  # files that are neither images nor PDFs, named with the reason


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _page_sources(path: Path, kind: str) -> tuple[PageSource, ...]:
    if kind == "pdf":
        import pikepdf

        try:
            with pikepdf.open(path) as pdf:
                count = len(pdf.pages)
        except pikepdf.PasswordError:
            raise InputError("PDF is encrypted (give --password)", path=path) from None
        except Exception as exc:  # pikepdf raises several unrelated types for broken files
            raise InputError(f"unreadable PDF ({exc.__class__.__name__}: {exc})", path=path) from None
        return tuple(PageSource(path, i, "pdf", count) for i in range(count))
    try:
        with Image.open(path) as img:
            frames = getattr(img, "n_frames", 1)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"unreadable image ({exc})", path=path) from None
    return tuple(PageSource(path, i, "image", frames) for i in range(frames))


def discover(folder: Path, cfg: InputConfig | None = None) -> Discovery:
    """Group the files under ``folder`` into documents; never raises for a single bad file."""
    cfg = cfg or InputConfig()
    if not folder.is_dir():
        raise InputError("not a folder", path=folder)
    documents: list[DocumentSource] = []
    rejected: list[InputError] = []
    used: set[str] = set()

    def unique(name: str) -> str:
        base, n = safe_name(name), 2
        out = base
        while out.casefold() in used:
            out, n = f"{base}-{n}", n + 1
        used.add(out.casefold())
        return out

    def candidates(directory: Path) -> list[Path]:
        out = []
        for p in natsorted(directory.iterdir(), key=lambda q: q.name):
            if p.name.startswith("."):
                continue
            if p.is_symlink() and not cfg.follow_symlinks and not _inside(p, folder):
                rejected.append(InputError("symlink leads out of the input folder; not followed", path=p))
                continue
            out.append(p)
        return out

    for entry in candidates(folder):
        if entry.is_dir():
            pages: list[PageSource] = []
            bad: list[InputError] = []
            for f in candidates(entry):
                if not f.is_file() or f.suffix.lower() in SIDECAR_SUFFIXES:
                    continue
                kind = sniff_kind(f)
                if kind is None:
                    bad.append(InputError("not an image or PDF", path=f))
                    continue
                try:
                    pages.extend(_page_sources(f, kind))
                except InputError as err:
                    bad.append(err)
            if bad:
                # a document with a missing or broken page is not produced half-way
                rejected.extend(bad)
                used.add(safe_name(entry.name).casefold())
            elif pages:
                documents.append(DocumentSource(unique(entry.name), entry, tuple(pages)))
            continue
        if not entry.is_file() or entry.suffix.lower() in SIDECAR_SUFFIXES:
            continue
        kind = sniff_kind(entry)
        if kind is None:
            reason = "empty file" if entry.stat().st_size == 0 else "not an image or PDF"
            rejected.append(InputError(reason, path=entry))
            continue
        try:
            documents.append(DocumentSource(unique(entry.stem), entry, _page_sources(entry, kind)))
        except InputError as err:
            rejected.append(err)
    return Discovery(tuple(documents), tuple(rejected))


def _credible_dpi(dpi: float | None, width_px: int, fallback: float) -> float:
    if not dpi or dpi <= 1:
        return fallback
    inches = width_px / dpi
    lo, hi = _CREDIBLE_PAGE_INCHES
    return float(dpi) if lo <= inches <= hi else fallback


def to_rgb(img: Image.Image) -> Image.Image:
    """Convert any Pillow mode a scanner produces to 8-bit RGB."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        top = arr.max() or 1.0
        img = Image.fromarray((arr * (255.0 / max(top, 255.0 if top <= 255 else top))).astype(np.uint8))
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img)
    return img.convert("RGB")


def load_page(source: PageSource, number: int, cfg: InputConfig | None = None) -> PageImage:
    """Load one page as RGB pixels; bad files raise :class:`InputError` naming the file and page."""
    cfg = cfg or InputConfig()
    if source.kind == "pdf":
        return _load_pdf_page(source, number, cfg)
    Image.MAX_IMAGE_PIXELS = cfg.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source.path) as img:
                if img.width * img.height > cfg.max_pixels:
                    raise InputError(
                        f"image is {img.width}x{img.height} pixels, over the --max-pixels limit of {cfg.max_pixels}",
                        path=source.path,
                        page=number,
                    )
                img.seek(source.index)
                raw_dpi = img.info.get("dpi", (0, 0))
                dpi_x = float(raw_dpi[0] if isinstance(raw_dpi, tuple) else raw_dpi or 0)
                img.load()
                upright = ImageOps.exif_transpose(img) or img
                rgb = to_rgb(upright)
    except InputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InputError(f"image too large ({exc})", path=source.path, page=number) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InputError(f"unreadable image ({exc})", path=source.path, page=number) from None
    pixels = np.asarray(rgb, dtype=np.uint8)
    dpi = _credible_dpi(dpi_x, pixels.shape[1], cfg.dpi_fallback)
    return PageImage(pixels=pixels, dpi=dpi, source=source, number=number)


def pdf_page_dpi(path: Path, index: int, fallback: float, password: str | None = None) -> float:
    """The resolution of the largest image on a scanned PDF page, so rasterising keeps its pixels."""
    import pikepdf

    with pikepdf.open(path, password=password or "") as pdf:
        page = pdf.pages[index]
        box = [float(v) for v in page.mediabox]
        width_in = abs(box[2] - box[0]) / 72.0
        best = 0
        for _name, raw in page.images.items():
            best = max(best, int(raw.get("/Width", 0)))
    return _credible_dpi(best / width_in if width_in and best else None, best, fallback) if best else fallback


def _load_pdf_page(source: PageSource, number: int, cfg: InputConfig) -> PageImage:
    import pypdfium2 as pdfium

    try:
        dpi = pdf_page_dpi(source.path, source.index, cfg.dpi_fallback, cfg.password)
        doc = pdfium.PdfDocument(str(source.path), password=cfg.password)
        try:
            page = doc[source.index]
            w_pt, h_pt = page.get_size()
            if (w_pt * dpi / 72) * (h_pt * dpi / 72) > cfg.max_pixels:
                raise InputError(
                    f"page would rasterise to more than --max-pixels={cfg.max_pixels}",
                    path=source.path,
                    page=number,
                )
            bitmap = page.render(scale=dpi / 72.0)
            pil = bitmap.to_pil().convert("RGB")
        finally:
            doc.close()
    except InputError:
        raise
    except Exception as exc:  # pdfium and pikepdf raise their own unrelated error types
        raise InputError(f"cannot rasterise PDF page ({exc})", path=source.path, page=number) from None
    return PageImage(pixels=np.asarray(pil, dtype=np.uint8), dpi=dpi, source=source, number=number)
