"""Finding documents in an input folder and loading their pages.

Grouping rules: each sub-folder of the input folder is one document whose pages are its image files in
natural sort order; each loose image file (TIFF, including multi-page, PNG, JPEG, JPEG 2000, BMP) and
each PDF is one document. Files are typed by their content, not their extension. Sidecar files (ground
truth, notes) and hidden files are ignored; anything else is reported with the reason it cannot be used.

Every file is checked before any work (see :func:`discover`): regular file, not empty, under the size
limit, a known type, its header readable, every frame within ``--max-pixels`` (the decompression-bomb
guard), PDFs openable, not scripted, and tested for an existing text layer. Symlinks that lead out of
the input folder are not followed unless ``follow_symlinks`` is set. Document names are sanitised into
one safe path component, so no input name can place an output outside the output folder.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import stat
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from natsort import natsorted
from PIL import Image, ImageOps, UnidentifiedImageError

from . import pdf_input
from .config import InputConfig
from .errors import InputError
from .models import DocumentSource, PageImage, PageSource

log = logging.getLogger(__name__)

#: Files that may sit beside scans and are not pages (ground truth, metadata, notes).
SIDECAR_SUFFIXES = {".txt", ".xml", ".json", ".md", ".csv", ".html", ".yaml", ".yml", ".log", ".sqlite"}
#: Operating-system litter that is never a scan.
_LITTER = {"thumbs.db", "desktop.ini"}

#: Pillow formats digitize reads; nothing else is handed to a decoder, whatever its extension says.
IMAGE_FORMATS = ("PNG", "JPEG", "TIFF", "JPEG2000", "BMP")

#: Pages whose DPI claims a page narrower or wider than this (inches) get the fallback DPI instead.
_CREDIBLE_PAGE_INCHES = (2.0, 30.0)

#: Names an output folder holds for the run itself; a document may not take them.
_RESERVED = {"report", "run", "accuracy", "ledger", "con", "prn", "aux", "nul"}
#: Bytes of a document name: leaves room for suffixes and the temporary-file prefix within NAME_MAX.
_NAME_BYTES = 150


def sniff_kind(path: Path) -> str | None:
    """``"pdf"``, ``"image"`` or None, from the file's first bytes."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError:
        return None
    return _kind_of(head)


def _kind_of(head: bytes) -> str | None:
    if b"%PDF-" in head[:1024]:  # the header may follow some junk bytes, as readers accept
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
    return "image" if any(head.startswith(sig) for sig in signatures) else None


def safe_name(raw: str) -> str:
    """A document name that is safe as a single path component inside the output folder.

    Separators, ``..``, control and format characters (a right-to-left override) and bytes that are not
    UTF-8 all become ``_``; letters of any script are kept, so Cyrillic names stay readable.
    """
    name = unicodedata.normalize("NFC", raw.encode("utf-8", "replace").decode("utf-8"))
    name = re.sub(r"[^\w.\-]+", "_", name, flags=re.UNICODE).strip("._-")
    encoded = name.encode("utf-8")[:_NAME_BYTES]
    name = encoded.decode("utf-8", "ignore").rstrip("._-") or "document"
    return f"{name}-doc" if name.casefold() in _RESERVED else name


def _displayable(name: str) -> str:
    """``name`` with bytes that are not UTF-8 (kept by Python as surrogates) shown as ``\\xff``."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class Discovery:
    documents: tuple[DocumentSource, ...]
    rejected: tuple[InputError, ...]  # files that cannot be used, each naming the file and the reason
    skipped: tuple[InputError, ...] = ()  # PDFs that already have text, left alone in --mode skip


def _check_link(path: Path, root: Path, cfg: InputConfig) -> None:
    """Refuse symlinks that are broken, loop, or lead out of ``root`` (unless allowed)."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        raise InputError("broken symlink", path=path) from None
    except (OSError, RuntimeError):  # RuntimeError: Python < 3.13 signals a symlink loop this way
        raise InputError("symlink loop", path=path) from None
    if not cfg.follow_symlinks and not target.is_relative_to(root.resolve()):
        raise InputError(
            "symlink leads out of the input folder; not followed (use --follow-symlinks)",
            path=path,
        )


def _check_file(path: Path, cfg: InputConfig) -> str:
    """The file's kind after the checks that need no decoder; raises :class:`InputError`."""
    try:
        st = path.stat()
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})", path=path) from None
    if not stat.S_ISREG(st.st_mode):
        # a FIFO or device would block or never end if opened
        raise InputError("not a regular file (a pipe, socket or device)", path=path)
    if st.st_size == 0:
        raise InputError("empty file (0 bytes)", path=path)
    limit = int(cfg.max_file_mb * 1024 * 1024)
    if st.st_size > limit:
        raise InputError(
            f"file is {st.st_size / 2**20:.0f} MiB, over the size limit of {cfg.max_file_mb:g} MiB",
            path=path,
        )
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})", path=path) from None
    kind = _kind_of(head)
    if kind is None:
        raise InputError("not an image or PDF (content does not match any supported type)", path=path)
    return kind


@dataclass(frozen=True)
class _Inspected:
    pages: tuple[PageSource, ...]
    has_text: bool = False


def _inspect(path: Path, kind: str, cfg: InputConfig) -> _Inspected:
    if kind == "pdf":
        info = pdf_input.inspect_pdf(path, cfg)
        return _Inspected(tuple(PageSource(path, i, "pdf", info.pages) for i in range(info.pages)), info.has_text)
    frames = 0
    with _open_image(path, cfg, None) as img:
        while True:
            _check_pixels(img, path, frames + 1, cfg)
            frames += 1
            try:
                img.seek(frames)
            except EOFError:
                break
    return _Inspected(tuple(PageSource(path, i, "image", frames) for i in range(frames)))


def _check_pixels(img: Image.Image, path: Path, page: int | None, cfg: InputConfig) -> None:
    w, h = img.size
    if w < 1 or h < 1:
        raise InputError(f"image has no pixels ({w}x{h})", path=path, page=page)
    if w * h > cfg.max_pixels:
        raise InputError(
            f"image is {w}x{h} pixels, over the --max-pixels limit of {cfg.max_pixels}", path=path, page=page
        )


@contextlib.contextmanager
def _open_image(path: Path, cfg: InputConfig, page: int | None) -> Iterator[Image.Image]:
    """Open an image with the bomb guard on; every decoder failure becomes an :class:`InputError`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        # Pillow warns on stderr about damaged metadata (corrupt EXIF); the page itself may be fine
        warnings.simplefilter("ignore", UserWarning)
        try:
            # Pillow's own guard is lifted only while the header is read, so that our check below can
            # name the size; opening decodes no pixels, and the guard is back before any decoding
            Image.MAX_IMAGE_PIXELS = None
            try:
                img = Image.open(path, formats=IMAGE_FORMATS)
            finally:
                Image.MAX_IMAGE_PIXELS = cfg.max_pixels
            with img:
                _check_pixels(img, path, page, cfg)
                yield img
        except InputError:
            raise
        except Exception as exc:  # the boundary to third-party decoders fed with untrusted bytes
            raise _image_error(exc, path, page) from None


def _image_error(exc: Exception, path: Path, page: int | None) -> InputError:
    """The :class:`InputError` a decoder failure stands for."""
    if isinstance(exc, Image.DecompressionBombError):
        return InputError(f"image too large: {exc}", path=path, page=page)
    if isinstance(exc, MemoryError):
        return InputError("not enough memory to decode the image", path=path, page=page)
    # Pillow's decoders raise OSError, SyntaxError, ValueError, struct.error, EOFError and more on
    # damaged files; a hostile file is a bad input, never a crash of the run
    if isinstance(exc, UnidentifiedImageError):
        return InputError(
            "unreadable image (damaged, or not really a PNG, JPEG, TIFF, JPEG 2000 or BMP)", path=path, page=page
        )
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else exc.__class__.__name__
    if "truncated" in detail.lower():
        return InputError(f"image data is truncated ({detail})", path=path, page=page)
    return InputError(f"unreadable image ({exc.__class__.__name__}: {detail})", path=path, page=page)


def discover(folder: Path, cfg: InputConfig | None = None) -> Discovery:
    """Group the files under ``folder`` into documents; never raises for a single bad file."""
    cfg = cfg or InputConfig()
    if not folder.is_dir():
        raise InputError("not a folder", path=folder)
    documents: list[DocumentSource] = []
    rejected: list[InputError] = []
    skipped: list[InputError] = []
    used: set[str] = set()

    def unique(name: str) -> str:
        base, n = safe_name(name), 2
        out = base
        while out.casefold() in used:
            out, n = f"{base}-{n}", n + 1
        used.add(out.casefold())
        return out

    def candidates(directory: Path) -> list[Path]:
        try:
            entries = list(directory.iterdir())
        except OSError as exc:
            rejected.append(InputError(f"cannot list folder ({exc.strerror or exc})", path=directory))
            return []
        out = []
        for p in natsorted(entries, key=lambda q: q.name):
            if p.name.startswith(".") or p.name.casefold() in _LITTER:
                continue
            shown = _displayable(p.name)
            if shown != p.name:
                # such a name cannot be recorded in the ledger, run.json or a PDF's metadata as text
                rejected.append(InputError("file name is not valid UTF-8; rename the file", path=p.parent / shown))
                continue
            if p.is_symlink():
                try:
                    _check_link(p, folder, cfg)
                except InputError as err:
                    rejected.append(err)
                    continue
            if p.is_dir() or p.suffix.lower() not in SIDECAR_SUFFIXES:
                out.append(p)
        return out

    def inspect(path: Path) -> _Inspected:
        inspected = _inspect(path, _check_file(path, cfg), cfg)
        if inspected.has_text and cfg.mode == "skip":
            raise HasTextLayer(
                "PDF already has a text layer; skipped, not OCRed again (--mode redo or --mode force OCRs it)",
                path=path,
            )
        return inspected

    for entry in candidates(folder):
        if entry.is_dir():
            if (entry / "run.json").is_file():
                log.info("%s: looks like a digitize output folder; not read as a document", entry)
                continue
            pages: list[PageSource] = []
            bad: list[InputError] = []
            for f in candidates(entry):
                if f.is_dir():
                    continue  # one level of grouping only
                try:
                    pages.extend(inspect(f).pages)
                except InputError as err:
                    bad.append(err)
            broken = [e for e in bad if not isinstance(e, HasTextLayer)]
            if broken:
                # a document with a missing or broken page is not produced half-way
                rejected.extend(broken)
                used.add(safe_name(entry.name).casefold())
            elif bad:
                skipped.append(bad[0])
                used.add(safe_name(entry.name).casefold())
            elif pages:
                documents.append(DocumentSource(unique(entry.name), entry, tuple(pages)))
            continue
        try:
            documents.append(DocumentSource(unique(entry.stem), entry, inspect(entry).pages))
        except HasTextLayer as err:
            skipped.append(err)
        except InputError as err:
            rejected.append(err)
    return Discovery(tuple(documents), tuple(rejected), tuple(skipped))


class HasTextLayer(InputError):
    """A PDF that already carries text, left alone in ``--mode skip``: reported as skipped, not failed."""


def _credible_dpi(dpi: float | None, width_px: int, fallback: float) -> float:
    if not dpi or not np.isfinite(dpi) or dpi <= 1:
        return fallback
    inches = width_px / dpi
    lo, hi = _CREDIBLE_PAGE_INCHES
    return float(dpi) if lo <= inches <= hi else fallback


def to_rgb(img: Image.Image) -> Image.Image:
    """Convert any Pillow mode a scanner produces (16-bit, CMYK, palette, alpha, float) to 8-bit RGB."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(img)
        arr = np.nan_to_num(arr.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
        lo, top = float(arr.min()), float(arr.max())
        # samples already within 0..255 keep their values; a deeper range is scaled into 8 bits
        if lo < 0 or top > 255:
            span = (top - min(lo, 0.0)) or 1.0
            arr = (arr - min(lo, 0.0)) * (255.0 / span)
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), mode="L")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img)
    return img.convert("RGB")


def _dpi_of(img: Image.Image) -> float:
    raw = img.info.get("dpi", (0, 0))
    try:
        return float(raw[0] if isinstance(raw, tuple) else raw or 0)
    except (TypeError, ValueError, ZeroDivisionError, IndexError):
        return 0.0


def _upright(img: Image.Image, path: Path) -> Image.Image:
    try:
        return ImageOps.exif_transpose(img) or img
    except Exception as exc:  # Pillow's EXIF parser raises assorted types on corrupt tags
        # a damaged orientation tag must not lose the page: it is read as it lies
        log.warning("%s: EXIF orientation unreadable (%s); page used as stored", path, exc)
        return img


def load_page(source: PageSource, number: int, cfg: InputConfig | None = None) -> PageImage:
    """Load one page as RGB pixels; bad files raise :class:`InputError` naming the file and page."""
    cfg = cfg or InputConfig()
    if source.kind == "pdf":
        pixels, dpi = pdf_input.render_page(source.path, source.index, number, cfg)
        return PageImage(pixels=pixels, dpi=dpi, source=source, number=number)
    with _open_image(source.path, cfg, number) as img:
        if source.index:
            img.seek(source.index)
        _check_pixels(img, source.path, number, cfg)
        dpi_x = _dpi_of(img)
        img.load()
        rgb = to_rgb(_upright(img, source.path))
        pixels = np.asarray(rgb, dtype=np.uint8)
    dpi = _credible_dpi(dpi_x, pixels.shape[1], cfg.dpi_fallback)
    return PageImage(pixels=pixels, dpi=dpi, source=source, number=number)
