"""Realistic facsimiles of archival pages with exact ground truth (``digitize synth``).

- :func:`synthesize_document`: a ground-truth folder (``layout.json`` + ``<stem>.gt.txt``) to page scans,
  PAGE XML and page texts;
- :func:`synthesize_corpus`: N pages of varied letters, telegrams and memos made from templates;
- :func:`contact_sheet`: pages side by side in one PNG.

Degradations are named knobs (:class:`Knobs`) with presets ``clean``, ``typical`` and ``hard``; the seed is
explicit and the output is byte-for-byte reproducible.
"""

from __future__ import annotations

from .corpus import corpus_page, synthesize_corpus
from .document import load_ground_truth, render_document, synthesize_document
from .knobs import PRESETS, Knobs, parse_knobs, preset
from .layout import LayoutSpec, PageSpec, RegionSpec, load_layout
from .render import RenderedPage, render_page
from .sheet import contact_sheet

__all__ = [
    "PRESETS",
    "Knobs",
    "LayoutSpec",
    "PageSpec",
    "RegionSpec",
    "RenderedPage",
    "contact_sheet",
    "corpus_page",
    "load_ground_truth",
    "load_layout",
    "parse_knobs",
    "preset",
    "render_document",
    "render_page",
    "synthesize_corpus",
    "synthesize_document",
]
