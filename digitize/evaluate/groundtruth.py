"""Loading ground truth and matching it to output pages by name.

Layouts understood (``GT`` is the folder given with ``--ground-truth``):

- ``GT/<doc>/<page>.gt.txt``: one UTF-8 file per page; ``<page>`` is the page image's file stem
  (``0001`` for ``scans/<doc>/0001.png``) or the page number;
- ``GT/<doc>.gt.txt`` or ``GT/<doc>/<doc>.gt.txt``: one text for the whole document, pages separated
  by form feeds where known;
- ``GT/<doc>/<page>.xml``: PAGE XML (2013 or 2019) with regions, their types, polygons and texts, as the
  facsimile generator, Transkribus or eScriptorium write it. It gives per-region accuracy; the page text is
  its regions' texts in reading order unless a ``<page>.gt.txt`` beside it says otherwise;
- ``GT/<doc>/document.json``: optional metadata (title, date, archive reference, translation).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from natsort import natsorted

from ..errors import EvaluationError, InputError
from ..models import PageResult


@dataclass(frozen=True)
class GroundTruthPage:
    key: str  # the file stem: matched against the page image's stem or the page number
    text: str
    path: Path
    layout: PageResult | None = None  # regions with types and texts, when the ground truth is PAGE XML


@dataclass(frozen=True)
class GroundTruthDocument:
    name: str
    pages: tuple[GroundTruthPage, ...]  # empty when only a whole-document text exists
    whole_text: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        if self.whole_text is not None:
            return self.whole_text
        return "\f".join(p.text for p in self.pages)


def read_text(path: Path) -> str:
    """Ground truth is UTF-8 by rule; anything else is an error, never a silent guess."""
    try:
        return path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").rstrip("\n")
    except UnicodeDecodeError as exc:
        raise EvaluationError(f"ground truth is not UTF-8 ({exc.reason} at byte {exc.start})", path=path) from None
    except OSError as exc:
        raise EvaluationError(f"cannot read ground truth ({exc.strerror})", path=path) from None


def _page_key(path: Path) -> str:
    return path.name[: -len(".gt.txt")] if path.name.endswith(".gt.txt") else path.stem


def read_layout(path: Path) -> PageResult:
    """A PAGE XML ground-truth page; the reader is shared with the exporter so both agree on region types."""
    from ..pagexml import read_page_xml

    try:
        return read_page_xml(path)
    except InputError as exc:
        raise EvaluationError(exc.message, path=path) from None


def _layout_text(layout: PageResult) -> str:
    texts = [r.text if r.text.strip() else "\n".join(ln.text for ln in r.lines) for r in layout.regions]
    return "\n\n".join(t for t in texts if t.strip())


def _pages(doc_dir: Path) -> tuple[GroundTruthPage, ...]:
    texts = {_page_key(p): p for p in doc_dir.glob("*.gt.txt")}
    xmls = {p.stem: p for p in doc_dir.glob("*.xml") if not p.name.startswith(".")}
    pages = []
    for key in natsorted(set(texts) | set(xmls)):
        layout = None
        if key in xmls:
            try:
                layout = read_layout(xmls[key])
            except EvaluationError:
                if key not in texts:  # an ALTO file beside its .gt.txt (EHRI) is fine: the text suffices
                    raise
        if key in texts:
            pages.append(GroundTruthPage(key, read_text(texts[key]), texts[key], layout))
        elif layout is not None:
            pages.append(GroundTruthPage(key, _layout_text(layout), xmls[key], layout))
    return tuple(pages)


def load_metadata(folder: Path, name: str) -> dict[str, Any]:
    """``GT/<doc>/document.json`` alone (title, date, archive reference...), or {} if there is none."""
    path = folder / name / "document.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EvaluationError(f"bad document.json ({exc})", path=path) from None
    if not isinstance(data, dict):
        raise EvaluationError("bad document.json (not a JSON object)", path=path)
    return data


def load_document(folder: Path, name: str) -> GroundTruthDocument | None:
    """The ground truth of document ``name`` under ``folder``, or None if it has none."""
    doc_dir = folder / name
    metadata = load_metadata(folder, name)
    whole = folder / f"{name}.gt.txt"
    if whole.is_file():
        return GroundTruthDocument(name, (), read_text(whole), metadata)
    if doc_dir.is_dir():
        files = list(doc_dir.glob("*.gt.txt"))
        if len(files) == 1 and _page_key(files[0]) == name:
            return GroundTruthDocument(name, (), read_text(files[0]), metadata)
        pages = _pages(doc_dir)
        if pages or metadata:
            return GroundTruthDocument(name, pages, None, metadata)
    return None


def document_names(folder: Path) -> list[str]:
    """Every document the ground-truth folder describes."""
    names = {p.name for p in folder.iterdir() if p.is_dir()}
    names |= {p.name[: -len(".gt.txt")] for p in folder.glob("*.gt.txt")}
    return natsorted(names)


def match_page(doc: GroundTruthDocument, source_label: str, number: int) -> GroundTruthPage | None:
    """The ground-truth page for an output page: by the image's stem, else by the page number."""
    if "#" not in source_label:  # a frame of a multi-page file has no name of its own
        stem = source_label.rsplit(".", 1)[0] if "." in source_label else source_label
        for page in doc.pages:
            if page.key == stem:
                return page
    for page in doc.pages:
        if page.key.isdigit() and int(page.key) == number:
            return page
    return None
