"""Searchable PDF/A: OCRmyPDF builds it around the untouched scans, with digitize's text layer.

This is the only module that imports ocrmypdf (besides the plugin it loads). Images are wrapped into
a PDF losslessly with img2pdf (JPEG and JPEG 2000 data are embedded as they are), then OCRmyPDF runs
with the :mod:`digitize.export.ocrmypdf_plugin` engine, which serves the results digitize computed.
"""

from __future__ import annotations

import io
import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from .. import fileio, pdf_input
from ..config import InputConfig, PdfConfig
from ..errors import DependencyError, InputError, PdfBuildError
from ..models import DocumentResult, DocumentSource

log = logging.getLogger(__name__)

PLUGIN = "digitize.export.ocrmypdf_plugin"


def _images_to_pdf(source: DocumentSource, dpis: list[float], target: Path) -> None:
    """Wrap the document's image files into one PDF without re-encoding their pixels.

    Each page is sized from the DPI digitize settled on (the file's own, or the fallback), so the PDF
    has the paper's real size even when the file records no resolution.
    """
    import img2pdf
    import pikepdf
    from PIL import Image

    from ..sources import to_rgb

    pending = iter(dpis)

    def layout(w_px: float, h_px: float, _ndpi: Any) -> tuple[float, float, float, float]:
        dpi = next(pending, 300.0)
        w, h = img2pdf.px_to_pt(w_px, dpi), img2pdf.px_to_pt(h_px, dpi)
        return w, h, w, h

    chunks: list[bytes] = []
    for path in dict.fromkeys(p.path for p in source.pages):
        try:
            chunks.append(img2pdf.convert(str(path), layout_fun=layout, rotation=img2pdf.Rotation.ifvalid))
        except (img2pdf.ImageOpenError, img2pdf.AlphaChannelError, ValueError):
            # alpha, 16-bit and palette-with-transparency images: img2pdf refuses them, so they are
            # flattened to 8-bit RGB and embedded losslessly as PNG instead
            frames = []
            with Image.open(path) as img:
                for i in range(getattr(img, "n_frames", 1)):
                    img.seek(i)
                    buf = io.BytesIO()
                    to_rgb(img.copy()).save(buf, format="PNG")
                    frames.append(buf.getvalue())
            chunks.append(img2pdf.convert(frames, layout_fun=layout))
    if len(chunks) == 1:
        target.write_bytes(chunks[0])
        return
    with pikepdf.new() as merged:
        parts = [pikepdf.open(io.BytesIO(c)) for c in chunks]
        for part in parts:
            merged.pages.extend(part.pages)
        merged.save(target)
        for part in parts:
            part.close()


def build_pdf(
    doc: DocumentResult,
    source: DocumentSource,
    target: Path,
    cfg: PdfConfig,
    *,
    lang: str = "rus",
    metadata: dict[str, Any] | None = None,
    jobs: int = 1,
    inputs: InputConfig | None = None,
) -> None:
    """Write ``target`` atomically: a PDF/A whose pages are the scans, with ``doc``'s text layer.

    ``inputs`` gives the password of an encrypted PDF and the ``mode`` for a PDF that already has text:
    ``redo`` replaces its old OCR layer and keeps visible text, ``force`` rasterises its pages.
    """
    import ocrmypdf

    metadata = metadata or {}
    inputs = inputs or InputConfig()
    mode: str | None = None
    with tempfile.TemporaryDirectory(prefix="digitize-pdf-") as tmpdir:
        tmp = Path(tmpdir)
        results = tmp / "results.json"
        results.write_text(json.dumps(doc.to_dict(), ensure_ascii=False), encoding="utf-8")
        kinds = {p.kind for p in source.pages}
        if kinds == {"pdf"} and len({p.path for p in source.pages}) == 1:
            # OCRmyPDF refuses encrypted input: it gets a decrypted (and, if damaged, repaired) copy
            input_pdf = pdf_input.decrypted_copy(source.pages[0].path, inputs.password, tmp / "input.pdf")
            if inputs.mode != "skip" and pdf_input.has_text(input_pdf):
                mode = inputs.mode  # OCRmyPDF's redo / force; without it, OCRmyPDF stops at prior text
        elif "pdf" in kinds:
            raise InputError("a document mixing PDFs and images cannot be made into one PDF", path=source.path)
        else:
            input_pdf = tmp / "input.pdf"
            try:
                _images_to_pdf(source, [p.dpi for p in doc.pages], input_pdf)
            except (OSError, ValueError) as exc:
                raise PdfBuildError(f"cannot wrap images into a PDF ({exc})", path=source.path) from None
        kwargs: dict[str, Any] = {
            "language": lang.split("+"),
            "output_type": cfg.output_type,
            "optimize": cfg.optimize,
            "jobs": max(1, jobs),
            "progress_bar": False,
            # digitize already runs documents in its own process pool; threads spare OCRmyPDF a second
            # pool of processes per document, and its OCR step here only looks up precomputed results
            "use_threads": True,
            "plugins": [PLUGIN],
            "digitize_results": str(results),
            # no force_ocr: it would rasterise every page again and change the scan's pixels
        }
        if mode is not None:
            kwargs["mode"] = mode
        for key in ("title", "author", "subject"):
            if metadata.get(key):
                kwargs[key] = str(metadata[key])
        if metadata.get("keywords"):
            kw = metadata["keywords"]
            kwargs["keywords"] = ", ".join(kw) if isinstance(kw, list) else str(kw)
        with fileio.atomic_path(target) as out:
            try:
                code = ocrmypdf.ocr(input_pdf, out, **kwargs)
            except ocrmypdf.exceptions.MissingDependencyError as exc:
                if mode == "redo":
                    # OCRmyPDF refuses redo with PDF/A output on Ghostscript 10.0-10.02 (Debian 12's)
                    raise PdfBuildError(
                        "--mode redo cannot make a PDF/A with this Ghostscript (10.0 to 10.02 corrupt existing "
                        "text); use --mode force, or the 'pdf' output type",
                        path=source.path,
                    ) from None
                raise DependencyError(f"OCRmyPDF dependency missing: {exc}", package="ghostscript") from None
            except ocrmypdf.exceptions.EncryptedPdfError:
                raise InputError("PDF is encrypted", path=source.path, stage="pdf") from None
            except ocrmypdf.exceptions.PriorOcrFoundError:
                raise InputError(
                    "PDF already has text (--mode redo or --mode force OCRs it)", path=source.path, stage="pdf"
                ) from None
            except Exception as exc:  # OCRmyPDF's ExitCodeExceptions; ghostscript, pikepdf, img2pdf have their own
                raise PdfBuildError(f"OCRmyPDF failed: {exc.__class__.__name__}: {exc}", path=source.path) from None
            if int(code) not in (0, 10):  # 10: PDF/A conversion produced a valid PDF but not PDF/A
                raise PdfBuildError(f"OCRmyPDF exited with code {int(code)}", path=source.path)
        log.debug("built %s", target)
