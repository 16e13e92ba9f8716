"""Errors and exit codes.

Exception tree::

    DigitizeError                 base; carries the file, page and stage it concerns
    ├── UsageError                bad arguments or configuration (unknown key, bad value)
    ├── InputError                a scan that cannot be read: unknown type, truncated, too large, encrypted
    ├── DependencyError           a program or language pack is missing; names the Debian package
    ├── OcrEngineError            Tesseract failed or timed out; carries its last stderr lines
    ├── PdfBuildError             OCRmyPDF / Ghostscript could not build the PDF/A
    ├── OutputError               the output folder cannot be written
    └── EvaluationError           ground truth missing, unreadable or unmatched

Library code raises these and never prints or exits; only the CLI turns them into one line and an
:class:`ExitCode`.
"""

from __future__ import annotations

import enum
import re
from pathlib import Path


class ExitCode(enum.IntEnum):
    """Stable process exit codes, documented in README."""

    OK = 0
    INTERNAL_ERROR = 1  # a bug: an exception that is not a DigitizeError
    BAD_USAGE = 2  # also what click uses for argument errors
    SOME_DOCUMENTS_FAILED = 3  # the batch ran; at least one document failed, the rest are done
    NO_INPUT = 4  # nothing to process, or every document failed
    MISSING_DEPENDENCY = 5  # tesseract, its `rus` data, ghostscript or qpdf missing
    OUTPUT_NOT_WRITABLE = 6
    EVALUATION_FAILED = 7
    INTERRUPTED = 130


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class DigitizeError(Exception):
    """Base of every error this package raises on purpose."""

    exit_code: ExitCode = ExitCode.INTERNAL_ERROR
    stage: str = ""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        page: int | None = None,
        stage: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.page = page
        if stage is not None:
            self.stage = stage

    def one_line(self) -> str:
        """``file[, page N]: reason`` on a single line, as the CLI prints it."""
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.page is not None:
                where += f", page {self.page}"
            where += ": "
        line = (where + self.message).replace("\n", " ").strip()
        # a file name may hold terminal escapes or bytes that are not UTF-8: shown escaped, never obeyed
        try:
            line = line.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a lone surrogate that no file name produced
            line = line.encode("utf-8", "backslashreplace").decode("utf-8")
        return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", line)

    def __str__(self) -> str:
        return self.one_line()

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # keep keyword-only fields when an error crosses a process boundary
        return (_rebuild_error, (type(self), self.message, self.path, self.page, self.stage, self.__dict__))


def _rebuild_error(cls, message, path, page, stage, state):  # type: ignore[no-untyped-def]
    err = cls.__new__(cls)
    DigitizeError.__init__(err, message, path=path, page=page, stage=stage)
    err.__dict__.update(state)
    return err


class UsageError(DigitizeError):
    exit_code = ExitCode.BAD_USAGE
    stage = "usage"


class InputError(DigitizeError):
    exit_code = ExitCode.SOME_DOCUMENTS_FAILED
    stage = "input"


class DependencyError(DigitizeError):
    exit_code = ExitCode.MISSING_DEPENDENCY
    stage = "dependencies"

    def __init__(self, message: str, *, package: str | None = None, **kw) -> None:  # type: ignore[no-untyped-def]
        if package:
            message = f"{message} (install it with: apt-get install {package})"
        super().__init__(message, **kw)
        self.package = package


class OcrEngineError(DigitizeError):
    exit_code = ExitCode.SOME_DOCUMENTS_FAILED
    stage = "ocr"

    def __init__(self, message: str, *, stderr: str = "", **kw) -> None:  # type: ignore[no-untyped-def]
        tail = " | ".join(ln for ln in stderr.strip().splitlines()[-3:] if ln.strip())
        super().__init__(f"{message}: {tail}" if tail else message, **kw)
        self.stderr = stderr


class PdfBuildError(DigitizeError):
    exit_code = ExitCode.SOME_DOCUMENTS_FAILED
    stage = "pdf"


class OutputError(DigitizeError):
    exit_code = ExitCode.OUTPUT_NOT_WRITABLE
    stage = "output"


class EvaluationError(DigitizeError):
    exit_code = ExitCode.EVALUATION_FAILED
    stage = "evaluate"
