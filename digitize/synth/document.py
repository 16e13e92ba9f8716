"""Facsimiles of a ground-truth document: its ``layout.json`` and ``.gt.txt`` pages in, scans and PAGE XML out."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from .. import fileio
from ..errors import InputError, OutputError
from ..evaluate.groundtruth import read_text
from ..pagexml import page_to_xml
from .knobs import Knobs
from .layout import LayoutSpec, load_layout, split_blocks
from .render import SYNTH_CREATED, RenderedPage, render_page

LAYOUT_FILE = "layout.json"


@dataclass(frozen=True)
class GroundTruthSource:
    """A ground-truth folder: the layout and, per page, the transcription's blocks."""

    folder: Path
    layout: LayoutSpec
    blocks: dict[str, list[str]]  # page stem -> blocks of its .gt.txt


def load_ground_truth(folder: Path) -> GroundTruthSource:
    layout_path = folder / LAYOUT_FILE
    if not layout_path.is_file():
        raise InputError(f"no {LAYOUT_FILE} in the ground-truth folder; see README, Facsimiles", path=folder)
    layout = load_layout(layout_path)
    blocks: dict[str, list[str]] = {}
    for page in layout.pages:
        gt = folder / f"{page.stem}.gt.txt"
        if gt.is_file():
            blocks[page.stem] = split_blocks(read_text(gt))
        else:
            blocks[page.stem] = []  # pages whose regions give their text literally
    return GroundTruthSource(folder, layout, blocks)


def render_document(
    source: GroundTruthSource,
    knobs: Knobs,
    *,
    seed: int,
    dpi: float = 300.0,
    keep_ink: bool = False,
    step_params: dict | None = None,
) -> list[RenderedPage]:
    """Every page of the document, rendered with the given knobs and seed."""
    return [
        render_page(
            page,
            source.blocks[page.stem],
            knobs,
            seed=seed,
            dpi=dpi,
            paper_mm=source.layout.paper_mm,
            keep_ink=keep_ink,
            source=f"{page.stem}.jpg",
            step_params=step_params,
        )
        for page in source.layout.pages
    ]


def page_xml(rendered: RenderedPage) -> bytes:
    return page_to_xml(rendered.page, rendered.page.source, creator="digitize synth", created=SYNTH_CREATED)


def write_pages(pages: list[RenderedPage], out: Path, gt_out: Path, knobs: Knobs) -> list[Path]:
    """Write ``<stem>.jpg`` to ``out`` and ``<stem>.xml`` (PAGE) and ``<stem>.gt.txt`` to ``gt_out``.

    An existing ``.gt.txt`` is a transcription: it is never overwritten, and a page whose text differs from it
    is an error (the layout does not reproduce the transcription).
    """
    written: list[Path] = []
    for rp in pages:
        stem = Path(rp.page.source).stem
        img = out / rp.page.source
        fileio.write_bytes(img, rp.jpeg(knobs.jpeg_quality))
        fileio.write_bytes(gt_out / f"{stem}.xml", page_xml(rp))
        gt = gt_out / f"{stem}.gt.txt"
        if gt.exists():
            if gt.read_text(encoding="utf-8") != rp.gt_text:
                raise OutputError("the rendered page's text differs from this transcription; not overwritten", path=gt)
        else:
            fileio.write_text(gt, rp.gt_text)
        written.append(img)
    return written


def synthesize_document(
    gt_dir: Path,
    out: Path,
    knobs: Knobs,
    *,
    seed: int,
    gt_out: Path | None = None,
    dpi: float = 300.0,
    preset_name: str = "",
) -> list[Path]:
    """Render a ground-truth document to ``out``; PAGE XML and page texts go to ``gt_out`` (default ``out``).

    Metadata (``document.json``) is copied to ``gt_out`` when that is another folder, so it is a complete
    ground-truth folder for ``digitize run --ground-truth``.
    """
    source = load_ground_truth(gt_dir)
    params = {"preset": preset_name} if preset_name else {}
    pages = render_document(source, knobs, seed=seed, dpi=dpi, step_params=params)
    target = gt_out or out
    written = write_pages(pages, out, target, knobs)
    meta = gt_dir / "document.json"
    if meta.is_file() and target.resolve() != gt_dir.resolve():
        try:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(meta, target / "document.json")
        except OSError as err:
            raise OutputError(f"cannot copy document.json ({err})", path=target) from None
    return written
