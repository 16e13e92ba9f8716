"""One facsimile page: lay out the regions, put their ink on aged paper, scan it, and describe what was drawn.

The description is a :class:`~digitize.models.PageResult` in scan pixels: one region per layout region that
left ink, each with a polygon that contains its ink (the region's ink box, padded, carried through the scanner's
skew and warp) and its exact text, in the layout's reading order.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
from PIL import Image

from ..errors import UsageError
from ..models import BBox, Line, PageResult, ProcessingStep, Region
from . import ink as inks
from . import stamps
from .ink import InkPatch
from .knobs import Knobs
from .layout import PageSpec, RegionSpec
from .paper import ScanGeometry, apply_geometry, bleed_through, paper, scan_geometry, scanner

#: Timestamp written into synthetic PAGE XML, fixed so that regenerated files are byte-identical.
SYNTH_CREATED = datetime(2000, 1, 1)

_LAYER = {"typewriter": 0, "hand": 1, "scrawl": 1, "stamp_rect": 2, "stamp_round": 2}


@dataclass(eq=False)
class RenderedPage:
    """A rendered page: the scan (uint8 RGB), its description, its ground-truth text and, if asked, its ink."""

    image: np.ndarray
    page: PageResult
    gt_text: str
    ink: np.ndarray | None = None  # float32 H x W ink coverage in scan pixels (keep_ink=True)

    def jpeg(self, quality: int) -> bytes:
        buf = io.BytesIO()
        dpi = round(self.page.dpi)
        Image.fromarray(self.image).save(buf, "JPEG", quality=quality, dpi=(dpi, dpi), optimize=False)
        return buf.getvalue()


@lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    """The libraries whose versions decide the exact bytes of a render, recorded in every page's PAGE XML."""
    import cv2
    import PIL
    from PIL import features

    return {
        "numpy": np.__version__,
        "pillow": PIL.__version__,
        "freetype": str(features.version("freetype2")),
        "libjpeg": str(features.version("libjpeg_turbo") or features.version("jpg")),
        "opencv": cv2.__version__,
    }


def _mm(v: float, dpi: float) -> int:
    return int(round(v * dpi / 25.4))


def _text_of(spec: RegionSpec, blocks: list[str], page: int) -> str:
    if spec.text is not None:
        return spec.text
    if spec.block is None:
        return ""
    if not 0 <= spec.block < len(blocks):
        raise UsageError(f"page {page}, region {spec.id!r}: block {spec.block} not in the page's {len(blocks)} blocks")
    return blocks[spec.block]


def _region_rng(seed: int, page: int, index: int) -> np.random.Generator:
    # one stream per region: editing one region of a layout leaves the others' randomness unchanged
    return np.random.default_rng([seed, page, index])


def render_page(
    spec: PageSpec,
    blocks: list[str],
    knobs: Knobs,
    *,
    seed: int,
    dpi: float = 300.0,
    paper_mm: tuple[float, float] = (210.0, 297.0),
    keep_ink: bool = False,
    source: str = "",
    step_params: dict | None = None,
) -> RenderedPage:
    """Render one page of a layout with the given knobs; the same inputs give the same pixels."""
    w, h = _mm(paper_mm[0], dpi), _mm(paper_mm[1], dpi)
    rng = np.random.default_rng([seed, spec.number, 1_000_003])
    s = dpi / 300.0

    used = [r.block for r in spec.regions if r.block is not None]
    if sorted(used) != list(range(len(blocks))):
        raise UsageError(
            f"page {spec.number}: layout shows blocks {sorted(used)} but the ground truth has {len(blocks)} blocks"
        )

    # pass 1: typed regions, which flow down the page and anchor the rest
    patches: dict[str, tuple[InkPatch, RegionSpec, str]] = {}
    origins: dict[str, tuple[int, int]] = {}
    cursor = _mm(25, dpi)
    for i, r in enumerate(spec.regions):
        if r.style != "typewriter":
            continue
        text = _text_of(r, blocks, spec.number)
        line_h = int(round(inks.pt_to_px(r.size, dpi) * r.line_spacing))
        x = _mm(r.x, dpi)
        y = _mm(r.y, dpi) if r.y is not None else int(cursor + r.gap * line_h)
        if r.anchor:
            ax, ay = _anchor(origins, r, spec.number)
            x, y = ax + _mm(r.dx, dpi), ay + _mm(r.dy, dpi)
        width = _mm(r.width, dpi) if r.width else w - x - _mm(15, dpi)
        patch = inks.typewriter(
            text,
            x=x,
            y=y,
            dpi=dpi,
            size_pt=r.size,
            max_width_px=width,
            indent=r.indent,
            line_spacing=r.line_spacing,
            knobs=knobs,
            rng=_region_rng(seed, spec.number, i),
            align=r.align,
        )
        patches[r.id] = (patch, r, text)
        origins[r.id] = (x, y)
        cursor = y + len(patch.lines) * line_h  # where the next typed line would fall

    # pass 2: everything written, stamped or signed on the typed sheet
    for i, r in enumerate(spec.regions):
        if r.style == "typewriter":
            continue
        rr = _region_rng(seed, spec.number, i)
        if r.style.startswith("stamp"):
            if r.over_text and not knobs.stamp_over_text:
                continue
            if r.optional and rr.random() >= knobs.stamp_prob:
                continue
        x, y = _mm(r.x, dpi), _mm(r.y or 0.0, dpi)
        if r.anchor:
            ax, ay = _anchor(origins, r, spec.number)
            x, y = ax + _mm(r.dx, dpi), ay + _mm(r.dy, dpi)
        text = _text_of(r, blocks, spec.number)
        if r.style == "hand":
            patch = inks.handwriting(text, x=x, y=y, dpi=dpi, size_pt=r.size, angle=r.angle, ink=r.ink, rng=rr)
        elif r.style == "stamp_round":
            d = _mm(r.width or 40.0, dpi)
            patch = stamps.stamp_round(
                r.stamp_text,
                r.stamp_center,
                cx=x,
                cy=y,
                diameter_px=d,
                angle=r.angle + rr.normal(0, 4),
                ink=r.ink,
                gaps=knobs.stamp_ink_gaps,
                dpi=dpi,
                rng=rr,
            )
        elif r.style == "stamp_rect":
            patch = stamps.stamp_rect(
                [row for row in r.stamp_text.split("\n") if row] if r.stamp_text else [],
                x=x,
                y=y,
                width_px=_mm(r.width or 50.0, dpi),
                height_px=_mm(r.height or 22.0, dpi),
                angle=r.angle + rr.normal(0, 1.5),
                ink=r.ink,
                gaps=knobs.stamp_ink_gaps,
                dpi=dpi,
                rng=rr,
            )
        else:  # scrawl
            patch = inks.scrawl(
                x=x,
                y=y,
                width_px=_mm(r.width or 40.0, dpi),
                height_px=_mm(r.height or 14.0, dpi),
                ink=r.ink,
                dpi=dpi,
                rng=rr,
            )
        patches[r.id] = (patch, r, text)

    boxes: dict[str, InkPatch] = {}
    for i, r in enumerate(spec.regions):
        if r.box is not None and r.id in patches:
            bx, by, bw, bh = (_mm(v, dpi) for v in r.box)
            if r.box_ink == "black":  # a printed form's ruling
                boxes[r.id] = stamps.ruled_box(x=bx, y=by, width_px=bw, height_px=bh, dpi=dpi)
            else:  # a rubber-stamped frame, filled in by hand (the archive's reference stamp)
                boxes[r.id] = stamps.stamp_rect(
                    [],
                    x=bx,
                    y=by,
                    width_px=bw,
                    height_px=bh,
                    angle=0.0,
                    ink=r.box_ink,
                    gaps=knobs.stamp_ink_gaps,
                    dpi=dpi,
                    rng=_region_rng(seed, spec.number, 10_000 + i),
                )

    # the sheet, then its ink, layer by layer: typing first, pen and pencil next, stamps last
    sheet = paper((h, w), knobs, rng, dpi)
    total = np.zeros((h, w), np.float32)
    fade = 1.0 - knobs.ribbon_fade * inks.smooth_noise((h, w), 350 * s, rng)
    ordered = sorted(patches.values(), key=lambda t: _LAYER[t[1].style])
    typed_back = np.zeros((h, w), np.float32)
    for patch, r, _ in ordered:
        if r.style == "typewriter":
            _crop_mul(patch, fade)
            _max_into(typed_back, patch)
    bleed_through(sheet, typed_back, knobs.bleed_through, rng, dpi)
    del typed_back
    for box in boxes.values():
        _apply(sheet, box)
        _max_into(total, box)
    for patch, _, _ in ordered:
        _apply(sheet, patch)
        _max_into(total, patch)

    geo = scan_geometry((h, w), knobs, rng, dpi)
    image = scanner(sheet, geo, knobs, rng, dpi)
    del sheet
    ink_scan = apply_geometry(total, geo, 0.0) if keep_ink else None

    regions: list[Region] = []
    for r in spec.regions:
        if r.id not in patches:
            continue
        patch, _, text = patches[r.id]
        ink_box = patch.ink_box()
        if r.id in boxes:
            ink_box = boxes[r.id].box if ink_box is None else ink_box.union(boxes[r.id].box)
        if ink_box is not None and text:
            # a region holds its lines whole (their boxes are the cells of the glyphs, a little wider than the ink)
            for _, line_box in patch.lines:
                ink_box = ink_box.union(line_box)
        if ink_box is None:
            continue
        polygon = _carry(ink_box, geo, pad=int(6 * s), size=(w, h))
        lines = tuple(Line(t, _carry_box(b, geo, pad=int(3 * s), size=(w, h)), 1.0) for t, b in patch.lines if text)
        regions.append(
            Region(
                id=r.id,
                type=r.type,
                bbox=_enclose(polygon),
                text=text,
                confidence=1.0 if text else 0.0,
                lines=lines,
                polygon=polygon,
            )
        )

    skew = float(np.degrees(np.arctan2(-geo.matrix[1, 0], geo.matrix[0, 0])))
    params = {
        "seed": seed,
        "dpi": dpi,
        **(step_params or {}),
        "knobs": knobs.to_dict(),
        "libraries": library_versions(),
    }
    page = PageResult(
        number=spec.number,
        source=source or f"{spec.stem}.jpg",
        width=w,
        height=h,
        dpi=dpi,
        regions=tuple(regions),
        steps=(ProcessingStep("synth", params, {"skew_deg_ccw": round(skew, 4)}),),
    )
    gt = "\n\n".join(reg.text for reg in regions if reg.text) + "\n"
    return RenderedPage(image, page, gt, ink_scan)


def _anchor(origins: dict[str, tuple[int, int]], r: RegionSpec, page: int) -> tuple[int, int]:
    if r.anchor not in origins:
        raise UsageError(f"page {page}, region {r.id!r}: anchor {r.anchor!r} is not an earlier typed region")
    return origins[r.anchor]


def _window(patch: InkPatch, shape: tuple[int, int]) -> tuple[slice, slice, slice, slice] | None:
    h, w = shape
    ph, pw = patch.mask.shape
    x0, y0 = max(0, patch.x), max(0, patch.y)
    x1, y1 = min(w, patch.x + pw), min(h, patch.y + ph)
    if x0 >= x1 or y0 >= y1:
        return None
    return (
        slice(y0, y1),
        slice(x0, x1),
        slice(y0 - patch.y, y1 - patch.y),
        slice(x0 - patch.x, x1 - patch.x),
    )


def _crop_mul(patch: InkPatch, field: np.ndarray) -> None:
    win = _window(patch, field.shape)
    if win:
        sy, sx, py, px = win
        patch.mask[py, px] *= field[sy, sx]


def _max_into(total: np.ndarray, patch: InkPatch) -> None:
    win = _window(patch, total.shape)
    if win:
        sy, sx, py, px = win
        np.maximum(total[sy, sx], patch.mask[py, px], out=total[sy, sx])


def _apply(sheet: np.ndarray, patch: InkPatch) -> None:
    """Ink multiplies the paper: a stamp over typing darkens it rather than covering it."""
    win = _window(patch, sheet.shape[:2])
    if not win:
        return
    sy, sx, py, px = win
    m = patch.mask[py, px][..., None]
    color = np.array(inks.INKS[patch.ink], np.float32)
    sheet[sy, sx] *= 1.0 - m * (1.0 - color)


def _densify(box: BBox, step: int) -> np.ndarray:
    pts = []
    corners = [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)]
    for (ax, ay), (bx, by) in zip(corners, corners[1:] + corners[:1], strict=True):
        n = max(1, int(max(abs(bx - ax), abs(by - ay)) // step))
        for k in range(n):
            pts.append((ax + (bx - ax) * k / n, ay + (by - ay) * k / n))
    return np.array(pts, np.float64)


def _carry(box: BBox, geo: ScanGeometry, *, pad: int, size: tuple[int, int]) -> tuple[tuple[int, int], ...]:
    """The padded box's outline, carried through skew and warp, clipped to the scan."""
    padded = BBox(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)
    pts = geo.forward(_densify(padded, step=150))
    w, h = size
    pts[:, 0] = np.clip(np.round(pts[:, 0]), 0, w - 1)
    pts[:, 1] = np.clip(np.round(pts[:, 1]), 0, h - 1)
    out: list[tuple[int, int]] = []
    for x, y in pts.astype(int).tolist():
        if not out or out[-1] != (x, y):
            out.append((x, y))
    return tuple(out)


def _enclose(poly: tuple[tuple[int, int], ...]) -> BBox:
    xs, ys = [p[0] for p in poly], [p[1] for p in poly]
    return BBox(min(xs), min(ys), max(xs) + 1, max(ys) + 1)


def _carry_box(box: BBox, geo: ScanGeometry, *, pad: int, size: tuple[int, int]) -> BBox:
    return _enclose(_carry(box, geo, pad=pad, size=size))
