"""Run configuration: one pydantic model per stage, nested in :class:`RunConfig`.

Unknown keys are errors (``extra="forbid"``) so a misspelled setting never passes silently. The whole
config is recorded in ``run.json`` and its hash keys the run ledger.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import UsageError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InputConfig(_Strict):
    dpi_fallback: float = Field(300.0, gt=0, description="DPI for images that do not record one")
    max_pixels: int = Field(
        200_000_000, gt=0, description="pages larger than this (width x height) are refused as a bomb guard"
    )
    follow_symlinks: bool = Field(False, description="follow symlinks that lead out of the input folder")
    password: str | None = Field(None, description="password for encrypted PDFs")
    mode: Literal["skip", "redo", "force"] = Field(
        "skip",
        description="PDFs that already have text: skip them (reported, not OCRed), redo (replace the old OCR "
        "layer, keep visible text) or force (rasterise and OCR everything), as OCRmyPDF's skip-text, "
        "redo-ocr and force-ocr",
    )
    max_file_mb: float = Field(2048.0, gt=0, description="input files larger than this (MiB) are refused")


class OcrConfig(_Strict):
    lang: str = Field("rus", description="Tesseract languages, e.g. rus or rus+eng")
    psm: int = Field(3, ge=0, le=13, description="page segmentation mode for full-page OCR")
    oem: int = Field(1, ge=0, le=3, description="engine mode; 1 is the LSTM engine")
    page_timeout: float = Field(180.0, gt=0, description="seconds one Tesseract call may take")
    variables: dict[str, str] = Field(default_factory=dict, description="extra Tesseract -c variables")
    user_words: bool = Field(True, description="give Tesseract the shipped list of period names and terms")
    repair_lookalikes: bool = Field(
        True, description="repair Latin/Cyrillic look-alikes (I972 -> 1972, stray Latin letters in Russian words)"
    )
    lexicon_repair: bool = Field(
        True, description="fix a word one confusable letter away from exactly one dictionary word (rus only)"
    )


class PdfConfig(_Strict):
    enabled: bool = True
    output_type: Literal["pdfa", "pdfa-1", "pdfa-2", "pdfa-3", "pdf"] = "pdfa-2"
    optimize: int = Field(1, ge=0, le=3, description="OCRmyPDF --optimize level; 1 is lossless")


class PreprocessConfig(_Strict):
    """The OCR image: orientation, deskew, borders, lighting, specks, scale, binarisation, colour ink."""

    orientation: bool = Field(True, description="turn pages upright by Tesseract OSD")
    orientation_min_confidence: float = Field(3.0, ge=0, description="OSD confidence below which a page is left as is")
    deskew: bool = Field(True, description="straighten text lines (projection profiles)")
    deskew_max_deg: float = Field(15.0, gt=0, le=45, description="largest skew searched, degrees either way")
    deskew_step_deg: float = Field(0.05, gt=0, le=1, description="resolution of the skew search, degrees")
    deskew_min_deg: float = Field(0.1, ge=0, description="smaller skews are left alone (no resampling for nothing)")
    target_x_height: float = Field(20.0, gt=4, description="x-height in pixels the OCR image is scaled to")
    min_scale: float = Field(0.5, gt=0, le=1, description="never shrink a page more than this")
    max_scale: float = Field(4.0, ge=1, description="never enlarge a page more than this")
    scale_tolerance: float = Field(0.15, ge=0, description="scale factors this close to 1 are not applied")
    flatten_illumination: bool = Field(True, description="divide by the estimated paper background")
    remove_borders: bool = Field(True, description="whiten dark scan edges touching the image border")
    remove_specks: bool = Field(True, description="whiten isolated specks much smaller than a full stop")
    binarize: Literal["none", "otsu", "sauvola"] = Field(
        "none", description="binarisation before OCR; none leaves it to Tesseract (Otsu on the flattened page)"
    )
    ink_separation: bool = Field(True, description="offer an OCR image with violet/blue/red ink removed")
    ink_min_chroma: float = Field(
        12.0, gt=0, description="Lab a* above or b* below neutral by this much counts as coloured ink"
    )


class LayoutConfig(_Strict):
    """Region detection and per-type reading (see README, "Layout")."""

    enabled: bool = Field(True, description="detect region types; off gives one body region per OCR block")
    chroma_delta: float = Field(14.0, gt=0, description="Lab a*/b* distance from the paper that counts as coloured ink")
    min_stamp_mm: float = Field(17.0, gt=0, description="smallest stamp side in millimetres")
    typed_min_conf: float = Field(45.0, ge=0, le=100, description="first-pass word confidence that counts as typed")
    marginalia_min_confidence: float = Field(
        0.55, ge=0, le=1, description="below this OCR confidence a handwritten region is flagged low_confidence"
    )
    stamp_min_confidence: float = Field(0.5, ge=0, le=1, description="stamp text below this is kept out of .txt")
    reread_body: bool = Field(True, description="re-read each paragraph on its own (psm 6) after the first pass")
    top_margin_mm: float = Field(
        40.0, ge=0, description="text above this is taken for handwritten notes (registry, folio, archive reference)"
    )


class RunConfig(_Strict):
    """Everything that decides what a run produces. Hashing it keys the ledger."""

    input: InputConfig = InputConfig()
    ocr: OcrConfig = OcrConfig()
    pdf: PdfConfig = PdfConfig()
    preprocess: PreprocessConfig = PreprocessConfig()
    layout: LayoutConfig = LayoutConfig()

    def settings_hash(self) -> str:
        """Hash of the settings that change outputs (not of paths or job counts)."""
        blob = json.dumps(self.model_dump(mode="json", exclude={"input": {"password"}}), sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"input": {"password"}})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunConfig:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise UsageError(f"bad setting {loc}: {first['msg']}") from None

    @classmethod
    def from_file(cls, path: Path) -> RunConfig:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise UsageError(f"cannot read config: {exc}", path=path) from None
        return cls.from_dict(data)

    def updated(self, **sections: dict[str, Any]) -> RunConfig:
        """A copy with some fields of some sections replaced, validated like a fresh config."""
        data = self.model_dump(mode="python")
        for name, values in sections.items():
            data.setdefault(name, {}).update({k: v for k, v in values.items() if v is not None})
        return RunConfig.from_dict(data)


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
