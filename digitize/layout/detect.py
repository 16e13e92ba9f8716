"""Finding candidate regions on a prepared page: stamps, ruled boxes, typed lines and handwriting clusters.

Everything is in prepared-image pixels. Three kinds of evidence meet here:

- colour: violet/blue/red ink clusters from :mod:`.ink`, which are stamps when they are large and round or
  framed, and handwriting otherwise;
- the first OCR pass: words Tesseract reads with confidence and at the page's typewriter size are *typed*;
  typed words group into lines, lines into blocks;
- what is left: dark ink that no typed word explains (pencil or ink handwriting, signatures, folio numbers),
  gathered into clusters by a closing about one line high.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median
from typing import TYPE_CHECKING

import cv2
import numpy as np

from ..models import BBox
from .ink import InkMasks

if TYPE_CHECKING:
    from ..ocr.tesseract import OcrWord


@dataclass
class TypedLine:
    words: list[OcrWord]
    bbox: BBox

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def height(self) -> int:
        return int(median(w.height for w in self.words))


@dataclass
class Cluster:
    """A blob of ink that no typed word explains; ``colour`` is "blue", "red" or "dark"."""

    bbox: BBox
    colour: str
    ink: int  # number of ink pixels
    shape: str = ""  # "round" or "box" for stamp-like clusters
    distinct: bool = False  # lies on a stamp but in another ink
    words: list[OcrWord] = field(default_factory=list)


#: Share of a fitted outline that must be inked for a cluster to count as a stamp (measured on facsimile
#: stamps: 1.0 typical, 0.57-0.95 hard (faded, gappy); on handwriting and signature scrawls: <= 0.52).
STAMP_OUTLINE_COVERAGE = 0.56


def mm(dpi: float, millimetres: float) -> int:
    return max(1, int(round(millimetres * dpi / 25.4)))


def typed_words(words: list[OcrWord], min_conf: float) -> tuple[list[OcrWord], int]:
    """Words of typewriter size, and that size (the median height of confident words with letters).

    Low-confidence words are kept when their height fits: a typed line is judged as a whole (see
    :func:`typed_lines`), so that one smudged word does not cut a line in two.
    """
    real = [w for w in words if w.text.strip() and w.conf >= 0 and any(c.isalnum() for c in w.text)]
    confident = [w for w in real if w.conf >= min_conf]
    if not confident:
        return [], 0
    heights = [w.height for w in confident if sum(c.isalpha() for c in w.text) >= 2] or [w.height for w in confident]
    h = int(median(heights))
    return _dedupe([w for w in real if 0.45 * h <= w.height <= 2.0 * h]), h


def _dedupe(words: list[OcrWord]) -> list[OcrWord]:
    """One word per place: Tesseract sometimes reads a line twice (once through a stamp's ink); keep the surer."""
    kept: list[OcrWord] = []
    boxes: list[BBox] = []
    for w in sorted(words, key=lambda w: -w.conf):
        b = BBox(w.left, w.top, w.right, w.bottom)
        if any(b.intersection(k) > 0.5 * min(b.area, k.area) for k in boxes):
            continue
        kept.append(w)
        boxes.append(b)
    return kept


def typed_lines(
    lines: list[TypedLine],
    min_conf: float,
    masks: InkMasks | None = None,
    line_height: int = 0,
    top_margin_px: int = 0,
    page_width: int = 0,
) -> list[TypedLine]:
    """Lines that are typewriting: read with confidence, in black ink, at the page's type size, below the top margin.

    Handwriting Tesseract reads as noise has low confidence; blue handwriting it reads well is still mostly
    coloured ink; black handwriting is written larger than the type; and notes in the top margin (registration
    numbers, archive references, folio numbers) are handwritten on these pages. Everything dropped here is
    found again as ink no typed line explains.
    """
    out = []
    short_on_top = []
    for ln in lines:
        if median(w.conf for w in ln.words) < min_conf:
            continue
        if line_height and median(w.height for w in ln.words) > 1.45 * line_height:
            continue
        if len(ln.words) <= 3 and sum(w.width for w in ln.words) < 0.25 * ln.bbox.width:
            continue  # a few specks read as letters far apart, joined across a stamp: no typed line is that empty
        if masks is not None:
            b = ln.bbox
            dark = int(masks.dark[b.y0 : b.y1, b.x0 : b.x1].sum())
            coloured = int(masks.blue[b.y0 : b.y1, b.x0 : b.x1].sum() + masks.red[b.y0 : b.y1, b.x0 : b.x1].sum())
            if coloured > dark:
                continue
        if (ln.bbox.y0 + ln.bbox.y1) / 2 < top_margin_px and ln.bbox.width < 0.45 * page_width:
            short_on_top.append(ln)  # a short line in the top margin: a note, unless it continues typing
            continue
        out.append(ln)
    # full-width typing in the top margin is a continued page's body, and so are the short lines that continue
    # it: a paragraph's last line, or a line cut in two where the OCR lost a word
    for ln in short_on_top:
        if line_height and any(_continues(ln, body, line_height) for body in out):
            out.append(ln)
    return sorted(out, key=lambda ln: (ln.bbox.y0, ln.bbox.x0))


def _continues(ln: TypedLine, body: TypedLine, line_height: int) -> bool:
    """Whether ``ln`` sits right under or over the typed line ``body`` and within its width."""
    near = abs((ln.bbox.y0 + ln.bbox.y1) / 2 - (body.bbox.y0 + body.bbox.y1) / 2) < 1.8 * line_height
    within = ln.bbox.x0 >= body.bbox.x0 - line_height and ln.bbox.x1 <= body.bbox.x1 + line_height
    return near and within and body.bbox.width > ln.bbox.width


def group_lines(words: list[OcrWord], line_height: int, bridges: list[BBox] | None = None) -> list[TypedLine]:
    """Typed words into lines by vertical centre; a horizontal gap wider than ~6 characters splits a line."""
    rows: list[list[OcrWord]] = []
    centres: list[float] = []
    for w in sorted(words, key=lambda w: (w.top + w.bottom) / 2):
        cy = (w.top + w.bottom) / 2
        if rows and abs(cy - centres[-1]) < 0.6 * line_height:  # warped scans bend long lines
            rows[-1].append(w)
            centres[-1] = sum((x.top + x.bottom) / 2 for x in rows[-1]) / len(rows[-1])
        else:
            rows.append([w])
            centres.append(cy)
    lines: list[TypedLine] = []
    for row in rows:
        row.sort(key=lambda w: w.left)
        current = [row[0]]
        for w in row[1:]:
            right = max(x.right for x in current)
            gap = BBox(right, w.top, w.left, w.bottom)
            # words the OCR lost under a stamp leave a wide gap that is still the same line
            bridged = any(
                gap.width > 0 and min(gap.x1, b.x1) - max(gap.x0, b.x0) > 0.45 * gap.width and gap.intersection(b) > 0
                for b in bridges or ()
            )
            if w.left - right > 4 * line_height and not bridged:
                lines.append(_typed_line(current))
                current = [w]
            else:
                current.append(w)
        lines.append(_typed_line(current))
    return sorted(lines, key=lambda ln: (ln.bbox.y0, ln.bbox.x0))


def _typed_line(words: list[OcrWord]) -> TypedLine:
    return TypedLine(words, BBox.enclosing([BBox(w.left, w.top, w.right, w.bottom) for w in words]))


def ruled_boxes(dark: np.ndarray, dpi: float) -> list[BBox]:
    """Rectangles drawn with ruled lines (the frame of a telegraph transmission block)."""
    m = dark.astype(np.uint8)
    long_ = mm(dpi, 25)
    horiz = cv2.morphologyEx(m, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (long_, 1)))
    vert = cv2.morphologyEx(m, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, mm(dpi, 6))))
    frame = cv2.dilate(np.maximum(horiz, vert), np.ones((5, 5), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(frame, connectivity=8)
    boxes = []
    for i in range(1, n):
        x, y, w, h, _area = stats[i]
        if w < long_ or h < mm(dpi, 6):
            continue
        # a frame has a horizontal rule along its top and its bottom edge (a warped scan bends them a little)
        band = max(8, h // 8)
        top = horiz[y : y + band, x : x + w].any(axis=0).mean()
        bottom = horiz[max(y, y + h - band) : y + h, x : x + w].any(axis=0).mean()
        if top > 0.45 and bottom > 0.45:
            boxes.extend(_split_at_rules(vert[y : y + h, x : x + w], int(x), int(y), long_))
    return boxes


def _split_at_rules(vert: np.ndarray, x: int, y: int, min_width: int) -> list[BBox]:
    """Frames drawn side by side share a vertical rule: split the frame at every full-height rule inside it."""
    h, w = vert.shape
    # a rule bent by the scanner spreads over a few columns: widen before measuring its height
    full = cv2.dilate(vert, np.ones((1, 7), np.uint8)).mean(axis=0) > 0.7
    cols = np.flatnonzero(full)
    rules: list[int] = []
    for c in cols:
        if not rules or c - rules[-1] > 10:
            rules.append(int(c))
    cuts = [0] + [c for c in rules if min_width <= c <= w - min_width] + [w]
    return [BBox(x + a, y, x + b, y + h) for a, b in zip(cuts, cuts[1:], strict=False) if b - a >= min_width]


def _perimeter_coverage(ink: np.ndarray, pts: np.ndarray) -> float:
    """Share of points along an outline that have ink within reach (``ink`` already dilated)."""
    h, w = ink.shape
    xs = np.clip(np.round(pts[:, 0]).astype(int), 0, w - 1)
    ys = np.clip(np.round(pts[:, 1]).astype(int), 0, h - 1)
    return float(ink[ys, xs].mean()) if len(pts) else 0.0


def stamp_outline(mask: np.ndarray, reach_frac: float = 0.025) -> tuple[str, float]:
    """``("round", c)`` or ``("box", c)`` when the outermost ink runs along an ellipse or a rotated rectangle.

    A stamp's rim or frame is inked all round (gaps and all), so points sampled along the ellipse or rectangle
    fitted to the ink's convex hull mostly land on ink; along the hull of handwriting they mostly do not.
    ``c`` is that coverage.
    """
    m = mask.astype(np.uint8)
    pts = cv2.findNonZero(m)
    if pts is None or len(pts) < 50:
        return "", 0.0
    hull = cv2.convexHull(pts)
    reach = max(3, int(round(reach_frac * max(m.shape))))
    grown = cv2.dilate(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1))) > 0
    corners = cv2.boxPoints(cv2.minAreaRect(hull))
    edge = np.concatenate([np.linspace(corners[i], corners[(i + 1) % 4], 40) for i in range(4)])
    box_cov = _perimeter_coverage(grown, edge)
    if box_cov >= STAMP_OUTLINE_COVERAGE:
        return "box", box_cov  # a frame first: an ellipse fitted to a rectangle's hull also finds ink
    best = ("", box_cov)
    if len(hull) >= 5:
        (cx, cy), (ax, ay), ang = cv2.fitEllipse(hull)
        if min(ax, ay) > 0 and 0.55 < ax / ay < 1.8:
            t = np.linspace(0, 2 * np.pi, 120, endpoint=False)
            a, b, r = ax / 2 - reach / 2, ay / 2 - reach / 2, np.deg2rad(ang)
            ex = cx + a * np.cos(t) * np.cos(r) - b * np.sin(t) * np.sin(r)
            ey = cy + a * np.cos(t) * np.sin(r) + b * np.sin(t) * np.cos(r)
            round_cov = _perimeter_coverage(grown, np.stack([ex, ey], axis=1))
            if round_cov > best[1]:
                best = ("round", round_cov)
    return best


def colour_clusters(masks: InkMasks, dpi: float, min_stamp_mm: float) -> list[Cluster]:
    """Clusters of coloured ink; stamps (large, round or framed) get a ``shape``.

    Stamps are looked for with a wide closing (5 mm), which bridges the gaps of an unevenly inked or faded
    stamp; handwriting with a narrow one (2.5 mm). Pieces of handwriting-sized ink that touch a stamp are part of
    it (its inner rows, its rim's loose ends).
    """
    out: list[Cluster] = []
    for name, mask in (("blue", masks.blue), ("red", masks.red)):
        # remove specks before grouping: JPEG colour noise and paper fibres
        m = np.asarray(cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)), np.uint8)
        stamps = []
        trimmed: list[Cluster] = []  # stamps whose rim was fitted apart from a scrawl crossing it
        for x, y, w, h, _ in _components(m, _disc(mm(dpi, 5))):
            if min(w, h) >= mm(dpi, min_stamp_mm):
                box = BBox(x, y, x + w, y + h)
                stamp = Cluster(box, name, int(m[y : y + h, x : x + w].sum()))
                scrawl = _split_scrawl(m, stamp, dpi, min_stamp_mm)
                if scrawl is not None:
                    trimmed.append(stamp)
                    out.append(scrawl)
                    stamps.append(stamp)
                    continue
                shape, coverage = stamp_outline(m[y : y + h, x : x + w] > 0)
                if coverage >= STAMP_OUTLINE_COVERAGE:
                    stamps.append(Cluster(box, name, stamp.ink, shape))
        reach = mm(dpi, 3)
        for x, y, w, h, ink in _components(m, _disc(mm(dpi, 2.5))):
            if ink < mm(dpi, 1) ** 2 or max(w, h) < mm(dpi, 2) or min(w, h) < mm(dpi, 1.3):
                continue  # specks, and slivers of colour along the scan's edge
            box = BBox(x, y, x + w, y + h)
            # a piece mostly within the stamp is the stamp's; one beside it (a signature scrawl) is not
            home = next((st for st in stamps if _grow(st.bbox, reach).intersection(box) > 0.7 * box.area), None)
            if home is not None and not _other_hue(masks, m, box, home.bbox):
                if home not in trimmed:  # a fitted rim already bounds its stamp; a piece past it is the scrawl's
                    home.bbox = home.bbox.union(box)
            else:
                # a note in another ink, even inside a stamp (a number written into its "Вх. №" field), is a note
                out.append(Cluster(box, name, ink, distinct=home is not None))
        out.extend(stamps)
    return _merge_near(out, mm(dpi, 4))


def _split_scrawl(m: np.ndarray, stamp: Cluster, dpi: float, min_stamp_mm: float) -> Cluster | None:
    """A pen scrawl in a framed stamp's ink that crosses its frame, split off; the stamp's box becomes its frame's.

    A signature is often stamped over with a registration stamp, and in the same violet ink the two make one
    cluster, whose outline is no longer a stamp's. The frame (its long near-vertical sides) is fitted alone; when
    ink runs more than 3 mm past it and the frame is inked along most of its outline, the ink past the frame, with
    the strokes near it inside, is the scrawl. Round stamps are left whole: a circle fitted to a faded rim is not
    sure enough to cut by.
    """
    b = stamp.bbox
    crop = m[b.y0 : b.y1, b.x0 : b.x1] > 0
    fitted = _fit_frame(crop, dpi)
    if fitted is None:
        return None
    frame, segments = fitted
    x0, y0, w0, h0 = cv2.boundingRect(frame)
    x1, y1 = x0 + w0, y0 + h0
    past = mm(dpi, 3)
    h, w = crop.shape
    if min(w0, h0) < mm(dpi, min_stamp_mm):
        return None
    coverage = _frame_coverage(crop, frame)
    strokes, labels = _strokes_inside(crop, frame, segments, dpi)
    if max(x0, y0, w - x1, h - y1) >= past and coverage >= STAMP_OUTLINE_COVERAGE:
        scrawl = _strokes_past(strokes, labels, (x0, y0, x1, y1), past, dpi)
    elif coverage >= 0.9:
        scrawl = _pen_stroke(labels, dpi)  # a whole frame around a scrawl drawn inside it
    else:
        return None
    if scrawl is None:
        return None
    sx0, sy0, sx1, sy1, ink = scrawl
    if min(sx1, x1) - max(sx0, x0) > 0.6 * w0:
        return None  # across most of the stamp: the cut missed a frame line, and the "scrawl" is the stamp's own
    stamp.bbox, stamp.shape = BBox(b.x0 + x0, b.y0 + y0, b.x0 + x1, b.y0 + y1), "box"
    # split off on purpose: the stamp it lies on does not make it a stroke across the stamp's text
    return Cluster(BBox(b.x0 + sx0, b.y0 + sy0, b.x0 + sx1, b.y0 + sy1), stamp.colour, ink, distinct=True)


def _fit_frame(crop: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Corners of a stamp's frame within ``crop`` (the rotated rectangle spanning its long near-vertical sides),
    and the long straight segments found in the ink (the frame's lines, inner and outer, among them)."""
    found = cv2.HoughLinesP(
        crop.astype(np.uint8) * 255,
        1,
        np.pi / 180,
        threshold=mm(dpi, 4),
        minLineLength=mm(dpi, 8),
        maxLineGap=mm(dpi, 1.5),
    )
    if found is None:
        return None
    segs = found.reshape(-1, 4).astype(np.int64)
    sides = segs[np.abs(segs[:, 3] - segs[:, 1]) > 3 * np.abs(segs[:, 2] - segs[:, 0])]
    if len(sides) < 2 or np.ptp(sides[:, [0, 2]]) < mm(dpi, 10):
        return None
    pts = sides.reshape(-1, 2).astype(np.float32)
    return cv2.boxPoints(cv2.minAreaRect(pts)).astype(np.int32), segs


def _frame_coverage(crop: np.ndarray, frame: np.ndarray) -> float:
    """Share of the fitted frame's outline with ink within a few pixels."""
    outline = np.zeros(crop.shape, np.uint8)
    cv2.polylines(outline, [frame], True, 1, 1)
    grown = cv2.dilate(crop.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    on = outline > 0
    return float(grown[on].mean()) if on.any() else 0.0


def _strokes_inside(
    crop: np.ndarray, frame: np.ndarray, segments: np.ndarray, dpi: float
) -> tuple[np.ndarray, np.ndarray]:
    """The stamp's ink with its frame's lines (the segments along the fitted frame, outer and inner) cut out, and
    its connected pieces: the frame no longer joins a scrawl to the stamp."""
    line_w = max(3, mm(dpi, 0.8))
    edge = mm(dpi, 3.5)
    contour = frame.reshape(-1, 1, 2).astype(np.float32)
    cut = np.zeros(crop.shape, np.uint8)
    cv2.polylines(cut, [frame], True, 1, line_w)
    for sx0, sy0, sx1, sy1 in segments:
        ends_on_frame = all(
            abs(cv2.pointPolygonTest(contour, (float(px), float(py)), True)) <= edge
            for px, py in ((sx0, sy0), (sx1, sy1))
        )
        if ends_on_frame:
            cv2.line(cut, (int(sx0), int(sy0)), (int(sx1), int(sy1)), 1, line_w)
    strokes = (crop & (cut == 0)).astype(np.uint8)
    strokes = cv2.morphologyEx(strokes, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    _, labels = cv2.connectedComponents(strokes, connectivity=8)
    return strokes, labels


def _strokes_past(
    strokes: np.ndarray, labels: np.ndarray, box: tuple[int, int, int, int], past: int, dpi: float
) -> tuple[int, int, int, int, int] | None:
    """Box and ink of the pieces reaching more than ``past`` beyond the frame's box, with the pieces inside it that
    the same pen stroke continues into (a signature's loop drawn inside the stamp), across the cut frame lines."""
    x0, y0, x1, y1 = box
    outside = np.ones(strokes.shape, bool)
    outside[max(0, y0 - past) : y1 + past, max(0, x0 - past) : x1 + past] = False
    keep = set(np.unique(labels[outside & (strokes > 0)]).tolist()) - {0}
    if not keep:
        return None
    line_w = max(3, mm(dpi, 0.8))
    bridge = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (4 * line_w + 1, 4 * line_w + 1))
    for _ in range(2):  # across the cut lines of a double frame
        grown = cv2.dilate(np.isin(labels, list(keep)).astype(np.uint8), bridge) > 0
        keep |= set(np.unique(labels[grown & (strokes > 0)]).tolist()) - {0}
    ys, xs = np.nonzero(np.isin(labels, list(keep)))
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1, int(xs.size)


def _pen_stroke(labels: np.ndarray, dpi: float) -> tuple[int, int, int, int, int] | None:
    """The largest piece inside a frame that is no stamp lettering: one connected stroke at least 15 mm wide and
    7 mm tall (a stamp's letters are 3-5 mm tall and apart; a signature's loops and humps are one pen line)."""
    n = int(labels.max())
    if n == 0:
        return None
    stats = cv2.connectedComponentsWithStats((labels > 0).astype(np.uint8), connectivity=8)[2]
    best = None
    for x, y, w, h, area in stats[1:]:
        if w >= mm(dpi, 15) and h >= mm(dpi, 7) and (best is None or area > best[4]):
            best = (int(x), int(y), int(x + w), int(y + h), int(area))
    return best


def _other_hue(masks: InkMasks, m: np.ndarray, piece: BBox, stamp: BBox, degrees: float = 18.0) -> bool:
    """Whether the ink of ``piece`` differs in hue from the stamp's: blue ink written on a violet stamp."""
    if masks.hue is None:
        return False
    hp = masks.hue[piece.y0 : piece.y1, piece.x0 : piece.x1][m[piece.y0 : piece.y1, piece.x0 : piece.x1] > 0]
    hs = masks.hue[stamp.y0 : stamp.y1, stamp.x0 : stamp.x1][m[stamp.y0 : stamp.y1, stamp.x0 : stamp.x1] > 0]
    if hp.size < 30 or hs.size < 30:
        return False
    return abs(float(np.median(hp)) - float(np.median(hs))) > degrees


def _disc(k: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))


def _components(m: np.ndarray, kernel: np.ndarray) -> list[tuple[int, int, int, int, int]]:
    """Boxes (x, y, w, h) and ink counts of the ink of ``m`` grouped by a closing with ``kernel``."""
    grouped = cv2.morphologyEx(m, cv2.MORPH_CLOSE, kernel)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grouped, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, _ = (int(v) for v in stats[i])
        ink = int(m[y : y + h, x : x + w][labels[y : y + h, x : x + w] == i].sum())
        out.append((x, y, w, h, ink))
    return out


def _grow(b: BBox, d: int) -> BBox:
    return BBox(b.x0 - d, b.y0 - d, b.x1 + d, b.y1 + d)


def dark_clusters(masks: InkMasks, explained: list[BBox], dpi: float) -> list[Cluster]:
    """Dark ink not covered by typed words, ruled frames or stamps: handwriting candidates."""
    m = np.asarray(cv2.morphologyEx(masks.dark.astype(np.uint8), cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)), np.uint8)
    pad = mm(dpi, 0.8)
    for b in explained:
        m[max(0, b.y0 - pad) : b.y1 + pad, max(0, b.x0 - pad) : b.x1 + pad] = 0
    # a scan's dark border is not handwriting
    edge = mm(dpi, 4)
    m[:edge], m[-edge:], m[:, :edge], m[:, -edge:] = 0, 0, 0, 0
    # wider than tall: the words of one line (a typed line the OCR lost, a written note) hold together
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (mm(dpi, 5), mm(dpi, 3)))
    out = []
    for x, y, w, h, ink in _components(m, kernel):
        # specks, dust, fold lines and scan edges are not notes
        thin = min(w, h) < mm(dpi, 1.3) or (min(w, h) < mm(dpi, 1.6) and max(w, h) > 10 * min(w, h))
        if ink < mm(dpi, 1.2) ** 2 or max(w, h) < mm(dpi, 3) or min(w, h) < mm(dpi, 1.2) or thin:
            continue
        out.append(Cluster(BBox(x, y, x + w, y + h), "dark", ink))
    return _merge_near(out, mm(dpi, 3))


def letter_columns(dark: np.ndarray, explained: list[BBox], dpi: float) -> list[BBox]:
    """Columns of single typed letters stacked at one x (a typist's list down the margin), four or more.

    Each letter alone is below the size of a note and too short a word for the OCR to trust, so such a
    column is found from its marks: letter-sized (1.2-6 mm), alike in height, centred on one vertical, each
    within a few letter heights of the next.
    """
    m = dark.astype(np.uint8).copy()
    for b in explained:
        m[max(0, b.y0) : b.y1, max(0, b.x0) : b.x1] = 0
    _, _, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    lo, hi = mm(dpi, 1.2), mm(dpi, 6)
    marks = [
        (int(x), int(y), int(w), int(h))
        for x, y, w, h, area in stats[1:]
        if lo <= h <= hi and lo // 2 <= w <= hi and area >= 0.15 * w * h
    ]
    columns: list[list[tuple[int, int, int, int]]] = []
    for mk in sorted(marks, key=lambda t: t[0] + t[2] / 2):
        cx = mk[0] + mk[2] / 2
        col = next((c for c in columns if abs(cx - (c[-1][0] + c[-1][2] / 2)) < 0.6 * max(mk[3], c[-1][3])), None)
        if col is None:
            columns.append([mk])
        else:
            col.append(mk)
    out = []
    for col in columns:
        col.sort(key=lambda t: t[1])
        runs: list[list[tuple[int, int, int, int]]] = [[col[0]]]
        for mk in col[1:]:
            last = runs[-1][-1]
            alike = 0.5 <= mk[3] / last[3] <= 2.0
            if alike and mk[1] - (last[1] + last[3]) < 6 * max(mk[3], last[3]):
                runs[-1].append(mk)
            else:
                runs.append([mk])
        for run in runs:
            box = BBox.enclosing([BBox(x, y, x + w, y + h) for x, y, w, h in run])
            # single letters: the column is hardly wider than its widest letter
            if len(run) >= 4 and box.width <= 1.6 * max(w for _, _, w, _ in run):
                out.append(box)
    return out


def _merge_near(clusters: list[Cluster], gap: int) -> list[Cluster]:
    """Merge clusters of the same colour whose boxes come within ``gap`` (the strokes of one note)."""
    merged = True
    items = list(clusters)
    while merged:
        merged = False
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                a, b = items[i], items[j]
                if a.colour != b.colour or a.shape or b.shape:
                    continue
                grown = BBox(a.bbox.x0 - gap, a.bbox.y0 - gap, a.bbox.x1 + gap, a.bbox.y1 + gap)
                if grown.intersection(b.bbox) > 0:
                    items[i] = Cluster(a.bbox.union(b.bbox), a.colour, a.ink + b.ink, distinct=a.distinct or b.distinct)
                    del items[j]
                    merged = True
                    break
            if merged:
                break
    return items
