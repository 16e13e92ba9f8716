"""Plain-text and document-JSON exports."""

from __future__ import annotations

from pathlib import Path

from .. import fileio
from ..models import DocumentResult


def write_text(doc: DocumentResult, target: Path) -> None:
    """UTF-8 text, pages in order separated by a form feed, regions in reading order."""
    fileio.write_text(target, doc.text + "\n")


def write_document_json(doc: DocumentResult, target: Path) -> None:
    fileio.write_json(target, doc.to_dict())
