"""Start-up checks of the external programs and data a run needs, each naming its Debian package."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from .errors import DependencyError
from .ocr import tesseract


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    version: str
    detail: str = ""


def _program_version(program: str, args: list[str], package: str) -> str:
    exe = shutil.which(program)
    if exe is None:
        raise DependencyError(f"{program} is not installed", package=package)
    try:
        out = subprocess.run([exe, *args], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DependencyError(f"{program} does not run ({exc})", package=package) from None
    first = (out.stdout or out.stderr).strip().splitlines()
    return first[0] if first else "unknown"


def ghostscript_version() -> str:
    return _program_version("gs", ["--version"], "ghostscript")


def qpdf_version() -> str:
    return _program_version("qpdf", ["--version"], "qpdf")


def check_for_run(lang: str, pdf: bool) -> dict[str, str]:
    """Raise :class:`DependencyError` for the first missing piece; return the versions found."""
    tess = tesseract.check_languages(lang)
    versions = {"tesseract": tess.version}
    if pdf:
        versions["ghostscript"] = ghostscript_version()
        import ocrmypdf

        versions["ocrmypdf"] = ocrmypdf.__version__
    return versions


def doctor(lang: str = "rus") -> list[Check]:
    """Every dependency checked, none raising: the report ``digitize doctor`` prints."""
    checks: list[Check] = []

    def attempt(name: str, fn) -> None:  # type: ignore[no-untyped-def]
        try:
            checks.append(Check(name, True, str(fn())))
        except DependencyError as err:
            checks.append(Check(name, False, "", err.one_line()))

    attempt("tesseract", lambda: tesseract.info().version.splitlines()[0])
    for code in lang.split("+") + ["osd"]:
        attempt(f"tesseract language '{code}'", lambda c=code: tesseract.check_languages(c) and "installed")
    attempt("ghostscript", ghostscript_version)
    attempt("qpdf", qpdf_version)
    try:
        import ocrmypdf

        checks.append(Check("ocrmypdf", True, ocrmypdf.__version__))
    except ImportError as exc:
        checks.append(Check("ocrmypdf", False, "", str(exc)))
    return checks
