"""PDF inputs: checks before any work, repair of damaged files, and rasterising one page.

A PDF is inspected once, at discovery, with pikepdf (qpdf): it must open (qpdf reconstructs a damaged
cross-reference table on its own), with ``--password`` if it is encrypted, hold at least one page and no
active content (JavaScript, launch actions), and whether it already carries text is recorded so the
``--mode`` rules (OCRmyPDF's skip-text / redo-ocr / force-ocr) can apply. Pages are rasterised with
pdfium, which never runs a document's JavaScript; a file pdfium refuses is rewritten by qpdf in memory
and tried once more.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .config import InputConfig
from .errors import InputError

log = logging.getLogger(__name__)

#: Action types that make a PDF run something when opened or clicked.
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/Rendition"}

#: Pages whose largest image claims more than this many DPI get the fallback instead (a bogus /Width).
_MAX_CREDIBLE_DPI = 2400.0


@dataclass(frozen=True)
class PdfInfo:
    pages: int
    has_text: bool  # at least one page already carries text (a prior OCR layer or born-digital text)
    repaired: bool  # qpdf had to reconstruct the file to read it


@contextlib.contextmanager
def _open(path: Path, password: str | None) -> Iterator[Any]:
    """The file opened by pikepdf; every failure is an :class:`InputError` with a plain reason."""
    import pikepdf

    # pikepdf is handed an open stream, not the name: it cannot take names that are not valid UTF-8
    with path.open("rb") as fh:
        try:
            with warnings.catch_warnings():
                # one --password serves every PDF of a run; most of them need none
                warnings.filterwarnings("ignore", message="A password was provided")
                pdf = pikepdf.open(fh, password=password or "")
        except pikepdf.PasswordError:
            if password:
                raise InputError("PDF is encrypted and the --password given does not open it", path=path) from None
            raise InputError("PDF is encrypted; give its password with --password", path=path) from None
        except pikepdf.PdfError as exc:
            raise InputError(f"PDF is damaged beyond repair (qpdf: {_first_line(exc)})", path=path) from None
        except (OSError, ValueError, RuntimeError, TypeError) as exc:
            raise InputError(f"unreadable PDF ({exc.__class__.__name__}: {_first_line(exc)})", path=path) from None
        with pdf:
            yield pdf


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    # qpdf prefixes its messages with the stream's repr, which repeats the file name
    line = re.sub(r"^stream <[^>]*>:\s*", "", text[0]) if text else ""
    return line[:200] or exc.__class__.__name__


def _is_active(action: Any, depth: int = 0) -> bool:
    """Whether an action dictionary (or a chain of them through /Next) runs code."""
    import pikepdf

    if depth > 8 or not isinstance(action, pikepdf.Dictionary):
        return False
    if str(action.get("/S", "")) in _ACTIVE_ACTIONS or "/JS" in action:
        return True
    nxt = action.get("/Next")
    chain = list(nxt) if isinstance(nxt, pikepdf.Array) else [nxt]
    return any(_is_active(a, depth + 1) for a in chain if a is not None)


def _active_content(pdf: Any) -> str | None:
    """A short description of the first active content found, or None."""
    import pikepdf

    root = pdf.Root
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
        return "document-level JavaScript"
    if _is_active(root.get("/OpenAction")):
        return "an action run on opening"
    aa = root.get("/AA")
    if isinstance(aa, pikepdf.Dictionary) and any(_is_active(aa[k]) for k in aa.keys()):
        return "document actions"
    for number, page in enumerate(pdf.pages, start=1):
        page_aa = page.obj.get("/AA")
        if isinstance(page_aa, pikepdf.Dictionary) and any(_is_active(page_aa[k]) for k in page_aa.keys()):
            return f"page actions on page {number}"
        annots = page.obj.get("/Annots")
        for annot in annots if isinstance(annots, pikepdf.Array) else ():
            if isinstance(annot, pikepdf.Dictionary) and (
                _is_active(annot.get("/A"))
                or (isinstance(annot.get("/AA"), pikepdf.Dictionary) and "/JS" in str(annot.get("/AA")))
            ):
                return f"a scripted annotation on page {number}"
    return None


def _oversized_image(pdf: Any, max_pixels: int) -> tuple[int, int, int] | None:
    """(page, width, height) of the first embedded image over ``max_pixels``: pdfium would decode it whole."""
    for number, page in enumerate(pdf.pages, start=1):
        images = page.get_images() if hasattr(page, "get_images") else page.images
        for _name, raw in images.items():
            try:
                w, h = int(raw.get("/Width", 0)), int(raw.get("/Height", 0))
            except (TypeError, ValueError):
                continue
            if w * h > max_pixels:
                return number, w, h
    return None


def _pdfium_document(path: Path, password: str | None) -> Any:
    """pdfium's view of the file; a file pdfium refuses is rewritten by qpdf in memory and tried again."""
    import pypdfium2 as pdfium

    fh = path.open("rb")  # a stream, as pdfium cannot take names that are not valid UTF-8 either
    try:
        return pdfium.PdfDocument(fh, password=password, autoclose=True)
    except pdfium.PdfiumError as first:
        fh.close()
        log.info("%s: pdfium refused the file (%s); trying a qpdf-repaired copy", path, first)
        buf = io.BytesIO()
        with _open(path, password) as pdf:
            pdf.save(buf)  # no `encryption=`: the copy is decrypted, pdfium needs no password
        try:
            return pdfium.PdfDocument(buf.getvalue())
        except pdfium.PdfiumError as exc:
            raise InputError(f"PDF cannot be rendered even after repair ({exc})", path=path) from None


def inspect_pdf(path: Path, cfg: InputConfig) -> PdfInfo:
    """Check a PDF before any work; raises :class:`InputError` with the reason it cannot be used."""
    try:
        return _inspect(path, cfg)
    except InputError:
        raise
    except MemoryError:
        raise InputError("not enough memory to read the PDF", path=path) from None
    except Exception as exc:  # the boundary to qpdf and pdfium fed with untrusted bytes
        raise InputError(f"unreadable PDF ({exc.__class__.__name__}: {_first_line(exc)})", path=path) from None


def _inspect(path: Path, cfg: InputConfig) -> PdfInfo:
    with _open(path, cfg.password) as pdf:
        warnings = pdf.get_warnings()
        count = len(pdf.pages)
        active = _active_content(pdf)
        oversized = _oversized_image(pdf, cfg.max_pixels)
    if count == 0:
        raise InputError("PDF has no pages", path=path)
    if active:
        raise InputError(f"PDF contains active content ({active}); refused for safety", path=path)
    if oversized:
        number, w, h = oversized
        raise InputError(
            f"holds an image of {w}x{h} pixels, over the --max-pixels limit of {cfg.max_pixels}", path=path, page=number
        )
    if warnings:
        log.warning("%s: damaged PDF read after repair by qpdf: %s", path, _first_line(Exception(warnings[0])))
    doc = _pdfium_document(path, cfg.password)
    try:
        if len(doc) != count:
            raise InputError(f"PDF page tree is inconsistent ({count} vs {len(doc)} pages)", path=path)
        text = any(_page_has_text(doc, i) for i in range(count))
    finally:
        doc.close()
    return PdfInfo(pages=count, has_text=text, repaired=bool(warnings))


def _page_has_text(doc: Any, index: int) -> bool:
    page = doc[index]
    try:
        textpage = page.get_textpage()
        try:
            return bool(textpage.count_chars() > 0)
        finally:
            textpage.close()
    finally:
        page.close()


def page_dpi(pdf: Any, index: int, fallback: float) -> float:
    """The resolution of the largest image on a scanned page, so rasterising keeps its pixels.

    Long side over long side: a scan placed sideways (a landscape page, or ``/Rotate``) has its image
    width along the page's height, and width over width would under-sample it.
    """
    page = pdf.pages[index]
    box = [float(v) for v in page.mediabox]
    long_in = max(abs(box[2] - box[0]), abs(box[3] - box[1])) / 72.0
    best = 0
    images = page.get_images() if hasattr(page, "get_images") else page.images  # pikepdf >= 10 / older
    for _name, raw in images.items():
        try:
            best = max(best, int(raw.get("/Width", 0)), int(raw.get("/Height", 0)))
        except (TypeError, ValueError):
            continue
    if not best or not long_in:
        return fallback
    dpi = best / long_in
    return dpi if 50.0 <= dpi <= _MAX_CREDIBLE_DPI else fallback


def render_page(path: Path, index: int, number: int, cfg: InputConfig) -> tuple[np.ndarray, float]:
    """RGB pixels and DPI of page ``index``; refuses pages that would exceed ``cfg.max_pixels``."""
    try:
        with _open(path, cfg.password) as pdf:
            dpi = page_dpi(pdf, index, cfg.dpi_fallback)
        doc = _pdfium_document(path, cfg.password)
        try:
            page = doc[index]
            w_pt, h_pt = page.get_size()
            w_px, h_px = w_pt * dpi / 72, h_pt * dpi / 72
            if w_px < 1 or h_px < 1:
                raise InputError(f"page has no area ({w_pt:.0f} x {h_pt:.0f} pt)", path=path, page=number)
            if w_px * h_px > cfg.max_pixels:
                raise InputError(
                    f"page would rasterise to {w_px:.0f}x{h_px:.0f} pixels at {dpi:.0f} dpi, over the "
                    f"--max-pixels limit of {cfg.max_pixels}",
                    path=path,
                    page=number,
                )
            # may_draw_forms=False: form widgets (where scripts live) are never drawn or initialised
            bitmap = page.render(scale=dpi / 72.0, may_draw_forms=False)
            pixels = np.asarray(bitmap.to_pil().convert("RGB"), dtype=np.uint8)
            page.close()
        finally:
            doc.close()
    except InputError as err:
        if err.page is None:
            err.page = number
        raise
    except MemoryError:
        raise InputError("not enough memory to rasterise the page", path=path, page=number) from None
    except Exception as exc:  # pdfium and pikepdf raise their own unrelated types on hostile files
        raise InputError(
            f"cannot rasterise PDF page ({exc.__class__.__name__}: {_first_line(exc)})", path=path, page=number
        ) from None
    return pixels, dpi


def decrypted_copy(path: Path, password: str | None, target: Path) -> Path:
    """Write a decrypted, qpdf-normalised copy of ``path`` for OCRmyPDF, which refuses encrypted input."""
    try:
        with _open(path, password) as pdf:
            pdf.save(target)
    except InputError:
        raise
    except Exception as exc:  # qpdf's own error types, on a file it could open but not rewrite
        raise InputError(f"PDF cannot be rewritten ({exc.__class__.__name__}: {_first_line(exc)})", path=path) from None
    return target


def has_text(path: Path, password: str | None = None) -> bool:
    """Whether any page of the PDF already carries text."""
    doc = _pdfium_document(path, password)
    try:
        return any(_page_has_text(doc, i) for i in range(len(doc)))
    finally:
        doc.close()
