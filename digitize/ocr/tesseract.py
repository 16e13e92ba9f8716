"""The one place that runs Tesseract.

Every call passes the engine options explicitly (language, page segmentation mode, DPI) and a finite
timeout, and every failure becomes an :class:`~digitize.errors.OcrEngineError` or
:class:`~digitize.errors.DependencyError` carrying Tesseract's own last stderr lines.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pytesseract
from PIL import Image

from ..errors import DependencyError, OcrEngineError

log = logging.getLogger(__name__)

# Tesseract's OpenMP threads fight each other when several pages run in parallel, and on one page they
# gain little for the LSTM engine; one thread per Tesseract process is the documented recommendation.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

_LANG_PACKAGES = {"rus": "tesseract-ocr-rus", "eng": "tesseract-ocr-eng", "osd": "tesseract-ocr-osd"}


@dataclass(frozen=True)
class TesseractInfo:
    version: str
    languages: tuple[str, ...]
    datapath: str


@dataclass(frozen=True)
class OcrWord:
    """One word as Tesseract's TSV gives it, with its block/paragraph/line numbers."""

    block: int
    par: int
    line: int
    word: int
    left: int
    top: int
    width: int
    height: int
    conf: float  # 0..100; -1 for non-word rows
    text: str

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height


@lru_cache(maxsize=1)
def info() -> TesseractInfo:
    """Version and installed languages; raises :class:`DependencyError` if Tesseract is missing."""
    exe = shutil.which(pytesseract.pytesseract.tesseract_cmd)
    if exe is None:
        raise DependencyError("tesseract is not installed", package="tesseract-ocr")
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
        version = str(pytesseract.get_tesseract_version())
    except (OSError, subprocess.TimeoutExpired, pytesseract.TesseractNotFoundError) as exc:
        raise DependencyError(f"tesseract does not run ({exc})", package="tesseract-ocr") from None
    text = out.stdout + out.stderr
    m = re.search(r'"([^"]+)"', text)
    langs = tuple(sorted(ln.strip() for ln in out.stdout.splitlines()[1:] if ln.strip()))
    return TesseractInfo(version=version, languages=langs, datapath=m.group(1) if m else "")


def check_languages(lang: str) -> TesseractInfo:
    """Check that every language in ``lang`` (``rus+eng``) has its traineddata installed."""
    tess = info()
    for code in lang.split("+"):
        if code not in tess.languages:
            package = _LANG_PACKAGES.get(code, f"tesseract-ocr-{code.replace('_', '-').lower()}")
            raise DependencyError(
                f"Tesseract has no '{code}' language data in {tess.datapath or 'its tessdata folder'}",
                package=package,
            )
    return tess


def traineddata_versions(lang: str) -> dict[str, str]:
    """Size and mtime of each traineddata file, to record which model a run used."""
    tess = info()
    out: dict[str, str] = {}
    for code in lang.split("+"):
        path = Path(tess.datapath) / f"{code}.traineddata"
        if path.exists():
            st = path.stat()
            out[code] = f"{path} ({st.st_size} bytes)"
    return out


def _config(psm: int, oem: int, dpi: float, variables: dict[str, str] | None, user_words: Path | None) -> str:
    parts = [f"--psm {psm}", f"--oem {oem}", f"--dpi {int(round(dpi))}"]
    if user_words is not None:
        parts.append(f"--user-words {user_words}")
    for key, value in sorted((variables or {}).items()):
        if not re.fullmatch(r"[A-Za-z0-9_]+", key) or re.search(r"\s", str(value)):
            raise OcrEngineError(f"bad Tesseract variable {key}={value!r}", stage="ocr")
        parts.append(f"-c {key}={value}")
    return " ".join(parts)


def _as_pil(image: np.ndarray | Image.Image) -> Image.Image:
    return image if isinstance(image, Image.Image) else Image.fromarray(image)


def _run(fn: Any, image: np.ndarray | Image.Image, *, what: str, timeout: float, **kw: Any) -> Any:
    if timeout <= 0:
        raise ValueError("timeout must be positive: pytesseract's 0 means wait forever")
    try:
        return fn(_as_pil(image), timeout=timeout, **kw)
    except pytesseract.TesseractNotFoundError:
        raise DependencyError("tesseract is not installed", package="tesseract-ocr") from None
    except pytesseract.TesseractError as exc:
        message = str(exc.message) if hasattr(exc, "message") else str(exc)
        if "Failed loading language" in message or "Error opening data file" in message:
            lang = kw.get("lang", "")
            raise DependencyError(
                f"Tesseract cannot load language data '{lang}'",
                package=_LANG_PACKAGES.get(str(lang).split("+")[0], "tesseract-ocr-rus"),
            ) from None
        raise OcrEngineError(f"tesseract {what} failed (status {exc.status})", stderr=message) from None
    except RuntimeError as exc:
        # pytesseract signals its own timeout with a bare RuntimeError
        if "timeout" in str(exc).lower():
            raise OcrEngineError(f"tesseract {what} took longer than {timeout:.0f} s and was stopped") from None
        raise OcrEngineError(f"tesseract {what} failed", stderr=str(exc)) from None
    except (OSError, SystemExit) as exc:
        raise OcrEngineError(f"tesseract {what} could not run", stderr=str(exc)) from None


def recognize_words(
    image: np.ndarray | Image.Image,
    *,
    lang: str,
    psm: int,
    dpi: float,
    timeout: float,
    oem: int = 1,
    variables: dict[str, str] | None = None,
    user_words: Path | None = None,
) -> list[OcrWord]:
    """Tesseract's word boxes and confidences for an image (``image_to_data``)."""
    config = _config(psm, oem, dpi, variables, user_words)
    log.debug("tesseract image_to_data lang=%s %s", lang, config)
    data = _run(
        pytesseract.image_to_data,
        image,
        what="image_to_data",
        timeout=timeout,
        lang=lang,
        config=config,
        output_type=pytesseract.Output.DICT,
    )
    words: list[OcrWord] = []
    for i, text in enumerate(data["text"]):
        if not str(text).strip():
            continue
        words.append(
            OcrWord(
                block=int(data["block_num"][i]),
                par=int(data["par_num"][i]),
                line=int(data["line_num"][i]),
                word=int(data["word_num"][i]),
                left=int(data["left"][i]),
                top=int(data["top"][i]),
                width=int(data["width"][i]),
                height=int(data["height"][i]),
                conf=float(data["conf"][i]),
                text=str(text),
            )
        )
    return words


def recognize_text(
    image: np.ndarray | Image.Image,
    *,
    lang: str,
    psm: int,
    dpi: float,
    timeout: float,
    oem: int = 1,
    variables: dict[str, str] | None = None,
    user_words: Path | None = None,
) -> str:
    """Plain text of an image (``image_to_string``)."""
    config = _config(psm, oem, dpi, variables, user_words)
    log.debug("tesseract image_to_string lang=%s %s", lang, config)
    return str(
        _run(pytesseract.image_to_string, image, what="image_to_string", timeout=timeout, lang=lang, config=config)
    )


@dataclass(frozen=True)
class Orientation:
    rotate: int  # degrees clockwise that make the page upright
    confidence: float


def detect_orientation(image: np.ndarray | Image.Image, *, dpi: float, timeout: float) -> Orientation:
    """Tesseract's orientation and script detection (needs ``tesseract-ocr-osd``)."""
    if "osd" not in info().languages:
        raise DependencyError("Tesseract has no 'osd' data for orientation detection", package="tesseract-ocr-osd")
    try:
        data = _run(
            pytesseract.image_to_osd,
            image,
            what="orientation detection",
            timeout=timeout,
            config=f"--psm 0 --dpi {int(round(dpi))}",
            output_type=pytesseract.Output.DICT,
        )
    except OcrEngineError as err:
        # too little text to decide is not a failure of the page: report "upright, no confidence"
        if "Too few characters" in err.stderr or "too few" in err.message.lower():
            return Orientation(0, 0.0)
        raise
    return Orientation(int(data.get("rotate", 0)) % 360, float(data.get("orientation_conf", 0.0)))
