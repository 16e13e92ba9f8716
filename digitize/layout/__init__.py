"""Layout: where the regions of a page are, what type each is, and in which order they are read.

:func:`analyse` runs one full-page OCR pass on the image with coloured ink removed (for cues and typed
lines), finds stamps, ruled frames and handwriting from the ink masks, gives every candidate a type
(:mod:`.classify`), reads each region the way its type needs (through the :class:`RegionReader`), parses
fields out of the text (:mod:`.fields`), puts the regions in reading order (:mod:`.order`) and maps them
back to the original scan's pixels.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import TYPE_CHECKING

import cv2
import numpy as np

from ..config import LayoutConfig
from ..models import BBox, Line, PreparedPage, Region, RegionType, Word
from . import classify, detect, ink
from .classify import Candidate
from .fields import fields_for
from .grouping import regions_from_blocks
from .order import reading_order

if TYPE_CHECKING:
    from ..ocr.reader import RegionReader, RegionText

LOW_CONFIDENCE = "low_confidence"
#: enlargements a handwritten note is read at; the most confident reading is kept
_HAND_SCALES = (1, 2, 3)
#: typed regions of several lines, re-read one line at a time when block mode cuts their lines into pieces
_READ_BY_LINE_WHEN_CUT = (RegionType.BODY, RegionType.TRANSMISSION_BLOCK, RegionType.ADDRESSEE)


def _line_to_original(prepared: PreparedPage, line: Line) -> Line:
    return replace(
        line,
        bbox=prepared.box_to_original(line.bbox),
        words=tuple(replace(w, bbox=prepared.box_to_original(w.bbox)) for w in line.words),
    )


def to_original(prepared: PreparedPage, region: Region) -> Region:
    """A region found on the prepared image, moved into the original scan's coordinates."""
    box = prepared.box_to_original(region.bbox)
    return replace(
        region,
        bbox=box,
        polygon=prepared.polygon_to_original(list(region.polygon)) if region.polygon else tuple(box.polygon()),
        lines=tuple(_line_to_original(prepared, ln) for ln in region.lines),
    )


def analyse(
    prepared: PreparedPage, reader: RegionReader, page_prefix: str = "r", cfg: LayoutConfig | None = None
) -> list[Region]:
    """Regions of a page in reading order, in original-scan coordinates."""
    cfg = cfg or LayoutConfig()
    masks = ink.separate(prepared, cfg.chroma_delta)
    words = reader.page_words(prepared, image=masks.ocr_image)
    if not cfg.enabled:
        return [to_original(prepared, r) for r in regions_from_blocks(words, page_prefix=page_prefix)]
    candidates = find_candidates(prepared, masks, words, cfg)
    read = [_read(prepared, masks, reader, c, cfg) for c in candidates]
    regions = _signature_marks([r for r in read if r is not None], prepared.dpi or 300.0)
    ordered = reading_order(regions, box=lambda r: r.bbox, kind=lambda r: r.type)
    return [to_original(prepared, replace(r, id=f"{page_prefix}{i}")) for i, r in enumerate(ordered, start=1)]


def find_candidates(prepared: PreparedPage, masks: ink.InkMasks, words: list, cfg: LayoutConfig) -> list[Candidate]:
    """Every region of the page, typed but not yet read (prepared-image pixels)."""
    gray = np.asarray(prepared.gray)
    page_h, page_w = gray.shape[:2]
    dpi = prepared.dpi or 300.0
    typed, line_h = detect.typed_words(words, cfg.typed_min_conf)
    line_h = max(line_h, 1)
    colour = detect.colour_clusters(masks, dpi, cfg.min_stamp_mm)
    # a rectangular stamp's frame is ruled too (its darkest strokes pass as black ink): a frame lying on a stamp
    # is that stamp's, not a telegraph block's
    stamp_boxes = [c.bbox for c in colour if c.shape]
    frames = [
        f for f in detect.ruled_boxes(masks.dark, dpi) if not any(f.intersection(s) > 0.6 * f.area for s in stamp_boxes)
    ]
    all_lines = detect.group_lines(typed, line_h, stamp_boxes)
    in_frame = [ln for ln in all_lines if any(f.intersection(ln.bbox) > 0.6 * ln.bbox.area for f in frames)]
    lines = in_frame + detect.typed_lines(
        [ln for ln in all_lines if ln not in in_frame],
        cfg.typed_min_conf,
        masks,
        line_h,
        detect.mm(dpi, cfg.top_margin_mm),
        page_w,
    )
    lines.sort(key=lambda ln: (ln.bbox.y0, ln.bbox.x0))
    out: list[Candidate] = []

    for c in colour:
        if c.shape and classify.in_archive_zone(c.bbox, page_w, page_h):
            # the archive's fond/opis/delo stamp or framed note, upper right
            out.append(Candidate(RegionType.ARCHIVE_REFERENCE, c.bbox, image="gray", confidence=0.8, shape=c.shape))
        elif c.shape:
            out.append(Candidate(RegionType.STAMP, c.bbox, image="colour", confidence=0.9, shape=c.shape))
    stamps = [c.bbox for c in out]

    # typed text inside a ruled frame: a telegraph transmission block, one region per frame
    for f in frames:
        inside = [ln for ln in in_frame if f.intersection(ln.bbox) > 0.6 * ln.bbox.area]
        if inside:
            out.append(Candidate(RegionType.TRANSMISSION_BLOCK, f, lines=inside, confidence=0.95))
    free_lines = [ln for ln in lines if ln not in in_frame]

    typed_boxes: list[BBox] = []
    for block in classify.group_blocks(free_lines, line_h):
        box = BBox.enclosing([ln.bbox for ln in block])
        text = "\n".join(ln.text for ln in block)
        rtype, conf = classify.block_type(text, box, len(block), page_w, page_h)
        if rtype is RegionType.TRANSMISSION_BLOCK:
            parts = classify.split_transmission(block)
        elif rtype is RegionType.BODY:
            parts = classify.split_paragraphs(block, line_h, lambda ln, right: _ink_end(masks, ln, right, line_h))
        elif rtype is RegionType.ADDRESSEE:
            parts = classify.split_addressees(block)
        else:
            parts = [block]
        for part in parts:
            pbox = BBox.enclosing([ln.bbox for ln in part])
            typed_boxes.append(pbox)
            out.append(Candidate(rtype, pbox, lines=part, confidence=conf))

    explained = [BBox(w.left, w.top, w.right, w.bottom) for ln in lines for w in ln.words]
    explained += frames + stamps
    columns = detect.letter_columns(masks.dark, explained + typed_boxes + [c.bbox for c in colour], dpi)
    for i, col in enumerate(columns):
        # a narrow typed scrap the first pass made of some of the column's letters is part of the column
        scraps = [
            cand
            for cand in out
            if cand.lines and cand.bbox.width < 3 * col.width and min(cand.bbox.x1, col.x1) > max(cand.bbox.x0, col.x0)
        ]
        for scrap in scraps:
            out.remove(scrap)
            col = col.union(scrap.bbox)
        columns[i] = col
    for col in _merge_stacked(columns, detect.mm(dpi, 10)):
        if 0.15 * page_w < col.x0 and col.x1 < 0.85 * page_w:
            continue  # in the text block a stack of letters is the line ends of unread text, not a list
        typed_boxes.append(col)
        out.append(Candidate(RegionType.BODY, col, confidence=0.6))
    signatures = [c.bbox for c in out if c.type is RegionType.SIGNATURE]
    hand = _merge_inks([c for c in colour if not c.shape], detect.dark_clusters(masks, explained, dpi), dpi)
    hand = _drop_nested(hand)
    typed_cands = [c for c in out if c.lines]
    for c in hand:
        signed = any(_beside(c.bbox, s, dpi) for s in signatures)
        covered = sum(c.bbox.intersection(b) for b in typed_boxes + ([] if c.distinct or signed else stamps))
        if covered > 0.5 * c.bbox.area:
            continue  # a stroke across typed text (an underline, a correction) is not a region of its own
        home = _typed_neighbour(c, typed_cands, line_h) if c.colour == "dark" else None
        if home is not None:
            home.bbox = home.bbox.union(c.bbox)  # typed marks the OCR skipped (quotes, dashes) stay with their line
            continue
        box = _whole_strokes(c.bbox, dpi, page_w, page_h)
        if classify.in_folio_zone(c.bbox, page_w, page_h, dpi):
            out.append(Candidate(RegionType.FOLIO_NUMBER, box, image="gray", confidence=0.7))
        elif classify.in_archive_zone(c.bbox, page_w, page_h):
            # by place: the handwritten reference is often too scrawled for its Ф./оп./д. to be read
            out.append(Candidate(RegionType.ARCHIVE_REFERENCE, box, image="gray", confidence=0.6))
        elif any(_beside(c.bbox, s, dpi) for s in signatures):
            # the handwritten mark beside a signer's typed name: a signature, not read (a scrawl has no text)
            out.append(Candidate(RegionType.SIGNATURE, box, image="gray", confidence=0.7, read=False))
        else:
            # a dark mark no taller than a typed line may be typing the first pass did not trust (see _read)
            typed_size = c.colour == "dark" and c.bbox.height <= 1.55 * line_h
            out.append(
                Candidate(
                    RegionType.MARGINALIA, box, image="gray", confidence=0.6, colour=c.colour, typed_size=typed_size
                )
            )
    return out


def _whole_strokes(b: BBox, dpi: float, page_w: int, page_h: int) -> BBox:
    """A handwriting cluster's box grown by half a millimetre all round.

    Clusters are found on ink opened with a 2-pixel kernel, which trims the faint, thin ends of pen and pencil
    strokes; the box of the note as a reader sees it holds those ends too. On a small note (a folio number a few
    millimetres high) the trimmed ends are a large share of its box.
    """
    d = detect.mm(dpi, 0.5)
    return BBox(max(0, b.x0 - d), max(0, b.y0 - d), min(page_w, b.x1 + d), min(page_h, b.y1 + d))


def _stacked_under(b: BBox, name: BBox, dpi: float) -> bool:
    """``b`` starts where the name above it starts and sits a few lines under it."""
    same_indent = abs(b.x0 - name.x0) < detect.mm(dpi, 4)
    below = 0 < b.y0 - name.y1 < detect.mm(dpi, 30)
    return same_indent and below and b.width < 2 * name.width


def _merge_stacked(boxes: list[BBox], gap: int) -> list[BBox]:
    """Boxes in one column (overlapping in x) less than ``gap`` apart vertically, merged."""
    out: list[BBox] = []
    for b in sorted(boxes, key=lambda b: b.y0):
        if out and min(out[-1].x1, b.x1) > max(out[-1].x0, b.x0) and b.y0 - out[-1].y1 < gap:
            out[-1] = out[-1].union(b)
        else:
            out.append(b)
    return out


def _merge_inks(coloured: list[detect.Cluster], dark: list[detect.Cluster], dpi: float) -> list[detect.Cluster]:
    """One note, one cluster: the greyish parts of faded coloured handwriting join the coloured cluster they touch."""
    out = list(coloured)
    for d in dark:
        # overlapping, not merely adjacent: a typed date under a blue day number stays a line of its own
        home = next((c for c in coloured if c.bbox.intersection(d.bbox) > 0.3 * min(c.bbox.area, d.bbox.area)), None)
        if home is None:
            out.append(d)
        else:
            home.bbox = home.bbox.union(d.bbox)
    return out


def _signature_marks(regions: list[Region], dpi: float) -> list[Region]:
    """Handwriting beside a signer's name is that signer's mark.

    Candidates are typed before they are read, so a name the first OCR pass missed is only known as a signature
    once its own reading shows initials and a surname; this pass gives its neighbouring scrawl the same type.
    """
    names = [r.bbox for r in regions if r.type is RegionType.SIGNATURE and r.text.strip()]
    # a second signer's name typed under the first, at the same indent, whose reading the OCR garbled
    for i, r in enumerate(regions):
        retypable = r.type in (RegionType.BODY, RegionType.MARGINALIA) and len(r.lines) <= 1
        if retypable and any(_stacked_under(r.bbox, n, dpi) for n in names):
            regions[i] = replace(r, type=RegionType.SIGNATURE)
            names.append(r.bbox)
    out = []
    for r in regions:
        # a scrawl read as a few letters is still a scrawl: handwriting beside a name is its mark
        if r.type is RegionType.MARGINALIA and any(_beside(r.bbox, n, dpi) for n in names):
            r = replace(r, type=RegionType.SIGNATURE, text="", lines=(), flags=(), fields={})
        out.append(r)
    return out


def _ink_end(masks: ink.InkMasks, ln: detect.TypedLine, right: int, line_h: int) -> int:
    """Where black ink on ``ln``'s band ends, walking right from its last read word up to ``right``.

    Words the OCR lost at the end of a line (under a stamp, smudged) still leave ink; a gap wider than about
    three characters ends the line. Coloured ink neither ends nor continues it: a stamp over the line's end
    hides its black strokes, and its rim is no typed word.
    """
    x0, x1 = ln.bbox.x1, min(right, masks.dark.shape[1])
    if x1 <= x0:
        return ln.bbox.x1
    rows = slice(ln.bbox.y0, ln.bbox.y1)
    black: np.ndarray = np.asarray(masks.dark[rows, x0:x1].any(axis=0))
    coloured: np.ndarray = np.asarray((masks.blue[rows, x0:x1] | masks.red[rows, x0:x1]).any(axis=0))
    end, gap = 0, 0
    for i in range(len(black)):
        if black[i]:
            end, gap = i + 1, 0
        elif not coloured[i]:
            gap += 1
            if gap > 2 * line_h:
                break
    return x0 + end


def _typed_neighbour(c: detect.Cluster, typed: list[Candidate], line_h: int) -> Candidate | None:
    """The typed region a small dark mark continues: on one of its lines within three characters of it, or the
    line under a paragraph that the OCR could not read with confidence (its last line, smudged)."""
    b = c.bbox
    if b.height > 1.6 * line_h:
        return None
    cy = (b.y0 + b.y1) / 2
    for cand in typed:
        for ln in cand.lines:
            if ln.bbox.y0 - 0.3 * line_h <= cy <= ln.bbox.y1 + 0.3 * line_h:
                gap = max(ln.bbox.x0 - b.x1, b.x0 - ln.bbox.x1)
                if gap < 2 * line_h:
                    return cand
        if cand.type is RegionType.BODY and len(cand.lines) >= 2:
            pitch = (cand.lines[-1].bbox.y0 - cand.lines[0].bbox.y0) / (len(cand.lines) - 1)
            below = 0 < b.y0 - cand.bbox.y1 < pitch
            if below and b.x0 >= cand.bbox.x0 - line_h and b.x1 <= cand.bbox.x1 + line_h:
                return cand
        if cand.type is RegionType.ADDRESSEE:
            # the addressee's surname under "Народному комиссару товарищу", which the first pass did not trust;
            # a line as wide as the addressee's is the next addressee ("Товарищу МОЛОТОВУ"), not its name
            below = 0 < b.y0 - cand.bbox.y1 < 1.2 * line_h
            inside = b.x0 >= cand.bbox.x0 - line_h and b.x1 <= cand.bbox.x1 + line_h
            if below and inside and b.width < 0.6 * cand.bbox.width:
                return cand
    return None


def _drop_nested(clusters: list[detect.Cluster]) -> list[detect.Cluster]:
    """Pieces lying mostly inside a bigger cluster of handwriting are part of it, not notes of their own."""
    out = []
    for c in clusters:
        inside = any(
            o is not c and o.bbox.area > c.bbox.area and c.bbox.intersection(o.bbox) > 0.6 * c.bbox.area
            for o in clusters
        )
        if not inside:
            out.append(c)
    return out


def _beside(b: BBox, sig: BBox, dpi: float) -> bool:
    """Whether handwriting ``b`` sits where a signature goes: in the typed name's band, within a hand's reach."""
    reach_x, reach_y = detect.mm(dpi, 70), detect.mm(dpi, 12)
    band = min(b.y1, sig.y1 + reach_y) - max(b.y0, sig.y0 - reach_y) > 0.5 * b.height
    near = max(sig.x0 - b.x1, b.x0 - sig.x1) < reach_x
    return band and near


def _same_row(a: BBox, b: BBox) -> bool:
    """Whether two boxes share most of the shorter one's height: pieces of one typed line."""
    return min(a.y1, b.y1) - max(a.y0, b.y0) > 0.5 * min(a.height, b.height)


def _interleaved(lines: tuple[Line, ...]) -> bool:
    """Whether two lines of a reading are pieces of one typed line read as two."""
    return any(_same_row(a.bbox, b.bbox) for a, b in itertools.pairwise(lines))


def _lost_text(text: str, first_pass: list[detect.TypedLine]) -> bool:
    """Whether a re-reading has well under the letters the first pass read in the same place."""
    before = sum(len(ln.text.replace(" ", "")) for ln in first_pass)
    return len(text.replace(" ", "").replace("\n", "")) < 0.6 * before


def _line_strips(c: Candidate) -> list[BBox]:
    """One strip per typed line of a paragraph across its full width, plus the ink below the last line that
    joined the paragraph after the first pass (a last line the first pass could not read). Pieces of one
    typed line (cut where the first pass lost a word) make one strip."""
    strips: list[BBox] = []
    for ln in sorted(c.lines, key=lambda ln: ln.bbox.y0):
        strip = BBox(c.bbox.x0, ln.bbox.y0, c.bbox.x1, ln.bbox.y1)
        if strips and _same_row(strips[-1], strip):
            strips[-1] = strips[-1].union(strip)
        else:
            strips.append(strip)
    last = strips[-1]
    if c.bbox.y1 - last.y1 > 0.5 * last.height:
        strips.append(BBox(c.bbox.x0, last.y1, c.bbox.x1, c.bbox.y1))
    return strips


def _second_opinion(lines: tuple[Line, ...], other: list[tuple[BBox, str]]) -> tuple[Line, ...]:
    """A region's reading with each word that is no word (:func:`lexicon.doubtful`) taken from an ``other``
    reading (boxes and words), where that read one known word in the same place (with the pieces of it this
    reading split off: ``со средоточени®`` under ``сосредоточение``).

    The readings differ in image (coloured ink painted out, or unmixed from the typing; strokes thickened) or
    in mode, and a broken letter seldom fools them all.
    """
    from ..ocr import lexicon

    def overlap(a: BBox, b: BBox) -> int:
        return min(a.x1, b.x1) - max(a.x0, b.x0) if _same_row(a, b) else 0

    out = []
    for ln in lines:
        words = list(ln.words)
        i = 0
        while i < len(words):
            w = words[i]
            there = [(b, t) for b, t in other if overlap(w.bbox, b) > 0.5 * min(w.bbox.width, b.width)]
            if not lexicon.doubtful(w.text) or len(there) != 1:
                i += 1
                continue
            f_box, f_text = there[0]
            if not _same_word_misread(w.text, f_text):
                i += 1
                continue
            span = [j for j, o in enumerate(words) if overlap(o.bbox, f_box) > 0.5 * o.bbox.width]
            if i not in span or span != list(range(span[0], span[-1] + 1)):
                span = [i]
            part = words[span[0] : span[-1] + 1]
            if w.text[:1].islower() and f_text[:1].isupper() and not f_text.isupper():
                f_text = f_text[:1].lower() + f_text[1:]  # a letter struck high read as a capital
            words[span[0] : span[-1] + 1] = [Word.spanning(f_text, part)]
            i = span[0] + 1
        out.append(ln if words == list(ln.words) else ln.with_words(words))
    return tuple(out)


def _same_word_misread(read: str, other: str) -> bool:
    """Whether ``other`` is a known word that ``read`` can be a misreading of: of three letters or more, at most a
    third of its letters different, and capitalised if ``read`` is (a name is not made a common word)."""
    from rapidfuzz.distance import Levenshtein

    from ..ocr import lexicon

    a, b = ("".join(ch for ch in t if ch.isalpha()) for t in (read, other))
    if len(b) < 3 or lexicon.doubtful(other) or (a[:1].isupper() and not b[:1].isupper()):
        return False
    return Levenshtein.distance(a.lower(), b.lower()) <= max(2, len(b) // 3)


def _thickened(crop: np.ndarray) -> np.ndarray:
    """Strokes thickened by a 2 x 2 minimum filter: closes the breaks of worn type."""
    return np.asarray(cv2.erode(crop, np.ones((2, 2), np.uint8)))


def _smoothed_otsu(crop: np.ndarray) -> np.ndarray:
    """Blurred, then split into ink and paper at Otsu's threshold: jagged, speckled strokes made whole."""
    _, out = cv2.threshold(cv2.GaussianBlur(crop, (0, 0), 1.2), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return np.asarray(out)


#: image filters a line still holding a word that is no word is read again through, in this order
_OPINION_FILTERS = (_thickened, _smoothed_otsu)


def _filtered_opinions(
    prepared: PreparedPage, reader: RegionReader, lines: tuple[Line, ...], image: np.ndarray, region: BBox
) -> tuple[Line, ...]:
    """The lines still holding a word that is no word, read once more one at a time through each of
    :data:`_OPINION_FILTERS`, for further opinions on those words (:func:`_second_opinion`)."""
    from ..ocr import lexicon

    for image_filter in _OPINION_FILTERS:
        doubtful = [ln for ln in lines if any(lexicon.doubtful(w.text) for w in ln.words)]
        if not doubtful:
            break
        strips = [BBox(region.x0, ln.bbox.y0, region.x1, ln.bbox.y1) for ln in doubtful]
        y0, y1 = min(b.y0 for b in strips), max(b.y1 for b in strips)
        filtered = np.array(image, copy=True)
        filtered[y0:y1, region.x0 : region.x1] = image_filter(
            np.ascontiguousarray(filtered[y0:y1, region.x0 : region.x1])
        )
        again = reader.read_lines(prepared, strips, RegionType.BODY, image=filtered)
        lines = _second_opinion(lines, [(w.bbox, w.text) for ln in again.lines for w in ln.words])
    return lines


def _lines_from_typed(part: list[detect.TypedLine]) -> tuple[Line, ...]:
    out = []
    for ln in part:
        words = tuple(Word(w.text, BBox(w.left, w.top, w.right, w.bottom), max(0.0, w.conf) / 100) for w in ln.words)
        conf = sum(w.confidence for w in words) / len(words) if words else 0.0
        out.append(Line(" ".join(w.text for w in words), ln.bbox, conf, words))
    return tuple(out)


def _read_as_number(text: str) -> bool:
    """Digits and no letters: a folio number however the OCR punctuated it (``17]``, ``118.``)."""
    return any(ch.isdigit() for ch in text) and not any(ch.isalpha() for ch in text)


def _read_hand(
    prepared: PreparedPage, reader: RegionReader, box: BBox, rtype: RegionType, psm: int | None = None
) -> RegionText:
    """Read handwriting from its own crop: contrast-stretched, on white with a margin, at the enlargement
    Tesseract reads with the most confidence (:data:`_HAND_SCALES`).

    Pencil is light and thin; stretched to full contrast and doubled in size, Tesseract reads a pencilled ``119``
    that it misses in the page image; a hand's letters vary in size, so no one enlargement suits every note.
    Line and word boxes come back in prepared-image pixels.
    """
    from ..ocr.reader import RegionText

    gray = np.asarray(prepared.gray)
    crop = gray[box.y0 : box.y1, box.x0 : box.x1]
    if crop.size == 0:
        return RegionText("", (), 0.0)
    pad = 20
    norm = cv2.normalize(crop, None, 0, 255, cv2.NORM_MINMAX)  # type: ignore[call-overload]
    best: tuple[int, RegionText] | None = None
    for scale in _HAND_SCALES:
        big = cv2.resize(norm, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC) if scale != 1 else norm
        canvas = cv2.copyMakeBorder(big, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
        read = reader.read(prepared, BBox(0, 0, canvas.shape[1], canvas.shape[0]), rtype, image=canvas, psm=psm)
        if best is None or read.confidence > best[1].confidence:
            best = (scale, read)
    assert best is not None
    scale, rt = best

    def back(b: BBox) -> BBox:
        return BBox(
            box.x0 + (b.x0 - pad) // scale,
            box.y0 + (b.y0 - pad) // scale,
            box.x0 + (b.x1 - pad) // scale,
            box.y0 + (b.y1 - pad) // scale,
        )

    lines = tuple(
        replace(ln, bbox=back(ln.bbox), words=tuple(replace(w, bbox=back(w.bbox)) for w in ln.words)) for ln in rt.lines
    )
    return RegionText(rt.text, lines, rt.confidence)


def _as_typed_line(
    prepared: PreparedPage,
    masks: ink.InkMasks,
    reader: RegionReader,
    c: Candidate,
    as_hand: tuple[RegionType, tuple[Line, ...], str, float],
) -> tuple[RegionType, tuple[Line, ...], str, float]:
    """A one-line mark of typewriter size, read again as typing: from the OCR image, in line mode.

    A typed date line or signer's name the first pass could not read with confidence is found as ink no typed
    line explains; read as handwriting (contrast-stretched, enlarged) it comes out as noise ("20.141 в." for
    "25.X.41 г."), read as typing it says what it is. Kept only when that reading is a date, a name or an
    addressee; otherwise the mark stays the note it was read as.
    """
    rt = reader.read(prepared, c.bbox, RegionType.DATE_LINE, image=masks.ocr_image)
    if len(rt.lines) != 1:
        return as_hand
    retyped = _short_line_type(prepared, rt.text, c.bbox, 1)
    return as_hand if retyped is None else (retyped, rt.lines, rt.text, rt.confidence)


def _short_line_type(prepared: PreparedPage, text: str, box: BBox, n_lines: int) -> RegionType | None:
    """The signature, date line or addressee a short reading shows itself to be, else None."""
    page_h, page_w = np.asarray(prepared.gray).shape[:2]
    retyped, _ = classify.block_type(text, box, n_lines, page_w, page_h)
    return retyped if retyped in (RegionType.SIGNATURE, RegionType.DATE_LINE, RegionType.ADDRESSEE) else None


def _first_pass_reading(c: Candidate) -> tuple[tuple[Line, ...], str, float]:
    """A typed region's lines, text and confidence as the full-page first pass read them."""
    lines = _lines_from_typed(c.lines)
    return lines, "\n".join(ln.text for ln in lines), sum(ln.confidence for ln in lines) / len(lines)


def _read(
    prepared: PreparedPage, masks: ink.InkMasks, reader: RegionReader, c: Candidate, cfg: LayoutConfig
) -> Region | None:
    body_image = masks.typing_image
    images = {"ocr": body_image if c.type is RegionType.BODY else masks.ocr_image, "colour": masks.colour_image}
    flags: list[str] = []
    rtype = c.type

    def read_as(t: RegionType, psm: int | None = None) -> tuple[tuple[Line, ...], str, float]:
        if c.image == "gray":
            rt = _read_hand(prepared, reader, c.bbox, t, psm)
        else:
            rt = reader.read(prepared, c.bbox, t, image=images[c.image])
        return rt.lines, rt.text, rt.confidence

    lines: tuple[Line, ...]
    if not c.read:
        lines, text, conf = (), "", c.confidence
    elif rtype is RegionType.BODY and not cfg.reread_body and c.lines:
        lines, text, conf = _first_pass_reading(c)
    elif rtype is RegionType.FOLIO_NUMBER and c.image != "ocr":
        # a handwritten note in the folio corner may be the folio or the archive reference: read it freely first
        lines, text, conf = read_as(RegionType.MARGINALIA)
        if classify.looks_like_archive_reference(text):
            rtype = RegionType.ARCHIVE_REFERENCE
        else:
            # handwritten digits read freely come out as letters (119 as "и", a 1 as "{"): ask again for digits
            # only, as one word (psm 8) and then as a line (psm 7): each mode returns nothing for some numbers
            d_lines, d_text, d_conf = read_as(rtype, psm=8)
            if not _read_as_number(d_text):
                d_lines, d_text, d_conf = read_as(rtype)
            if _read_as_number(d_text) and sum(ch.isalpha() for ch in text) <= 3:
                lines, text, conf = d_lines, d_text, d_conf
            elif not _read_as_number(text):
                rtype = RegionType.MARGINALIA
    else:
        lines, text, conf = read_as(rtype)
        redo = rtype in _READ_BY_LINE_WHEN_CUT and c.lines and c.image == "ocr"
        if redo and (_interleaved(lines) or _lost_text(text, c.lines)):
            # block mode cut typed lines into pieces side by side (wandering baselines), or gave up on the
            # block (the ghost of the verso between its lines thresholded as ink): one typed line at a time
            rt = reader.read_lines(prepared, _line_strips(c), rtype, image=images[c.image])
            lines, text, conf = rt.lines, rt.text, rt.confidence
            if _lost_text(text, c.lines):
                lines, text, conf = _first_pass_reading(c)  # the first pass read it: keep that
        if rtype is RegionType.BODY and c.lines:
            first_pass = [(BBox(f.left, f.top, f.right, f.bottom), f.text) for ln in c.lines for f in ln.words]
            lines = _second_opinion(lines, first_pass)
            lines = _filtered_opinions(prepared, reader, lines, body_image, c.bbox)
            text = "\n".join(ln.text for ln in lines)
    extra_fields: dict[str, object] = {}
    line_like = c.colour == "dark" and len(lines) == 1
    if (rtype is RegionType.BODY or (rtype is RegionType.MARGINALIA and line_like)) and c.read and 0 < len(lines) <= 2:
        # the first pass may have caught only a scrap of a short line ("И." of a signer's name): type it again
        # from what its own reading says
        rtype = _short_line_type(prepared, text, c.bbox, len(lines)) or rtype
    if rtype is RegionType.MARGINALIA and c.typed_size and c.read:
        rtype, lines, text, conf = _as_typed_line(prepared, masks, reader, c, (rtype, lines, text, conf))
    if rtype in (RegionType.MARGINALIA, RegionType.STAMP) and classify.looks_like_archive_reference(text):
        rtype = RegionType.ARCHIVE_REFERENCE  # the archive's fond/opis/delo note, handwritten or stamped
    elif rtype is RegionType.MARGINALIA and classify.TRANSMISSION_CUE.search(text) and c.image != "ocr":
        rtype = RegionType.TRANSMISSION_BLOCK  # a rubber-stamped (violet) telegraph block
    elif (
        rtype is RegionType.MARGINALIA
        and c.bbox.height >= detect.mm(prepared.dpi or 300.0, cfg.min_stamp_mm)
        and (classify.STAMP_CUE.search(text))
    ):
        rtype = RegionType.STAMP  # a faded stamp whose frame did not survive, known by its words
    elif rtype is RegionType.MARGINALIA and c.colour == "dark" and classify.looks_like_name(text.strip()):
        rtype = RegionType.SIGNATURE  # a signer's typed name the first pass missed
    if rtype is RegionType.FOLIO_NUMBER and not any(ch.isdigit() for ch in text):
        flags.append(LOW_CONFIDENCE)
    if rtype is RegionType.MARGINALIA and (not text.strip() or conf < cfg.marginalia_min_confidence):
        flags.append(LOW_CONFIDENCE)
    if rtype is RegionType.STAMP and conf < cfg.stamp_min_confidence:
        # illegible stamp text stays in the JSON, out of the page text
        if text.strip():
            extra_fields["ocr_text"] = text
        text, lines = "", ()
        flags.append(LOW_CONFIDENCE)
    fields = {**fields_for(rtype, text), **extra_fields}
    return Region(
        id="",
        type=rtype,
        bbox=c.bbox,
        text=text,
        confidence=conf if text.strip() else c.confidence,
        lines=tuple(lines),
        fields=fields,
        flags=tuple(flags),
    )


__all__ = ["analyse", "find_candidates", "to_original"]
