"""Preprocessing: what the OCR image gains, and that every pixel still maps back to the scan."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import SHARED, TYPEWRITER_FONT
from PIL import Image, ImageDraw, ImageFont

from digitize.config import OcrConfig, PreprocessConfig, RunConfig
from digitize.errors import UsageError
from digitize.evaluate import normalize
from digitize.evaluate.metrics import character_errors
from digitize.layout.grouping import lines_from_words
from digitize.models import BBox, PageImage, PageSource
from digitize.ocr.reader import RegionReader
from digitize.preprocess import illumination, prepare
from digitize.preprocess.deskew import estimate_skew

TEXT = (
    "ПИШЕВАРИ и наши люди из Тавриза сообщают, что до сих пор",
    "почему то КАВАМ оттягивает обещанные переговоры с руково-",
    "дителями Национального правительства Иранского Азербайджана.",
    "В то же время продолжается усиленное сосредоточение крупных",
    "войсковых частей, жандармерии и специальных карательных",
    "отрядов в районах Казвина, Тикаба, Саккыза и Сердешта.",
    "Больше того, с утра 17-го апреля началось наступление",
    "крупных отрядов иранских войск из района Тикаба.",
)
#: no OSD (it costs a Tesseract call) unless a test is about orientation
NO_OSD = PreprocessConfig(orientation=False)


def _page(scale: float = 1.0, size: tuple[int, int] = (2000, 1100)) -> np.ndarray:
    """A 300-dpi typewritten block (x-height ~20 px), optionally rendered smaller like a low-res copy."""
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(TYPEWRITER_FONT, 40)
    for i, line in enumerate(TEXT):
        draw.text((80, 100 + i * 110), line, font=font, fill=(25, 25, 25))
    arr = np.asarray(img)
    if scale != 1.0:
        arr = cv2.resize(arr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return np.array(arr, copy=True)


def _rotate(rgb: np.ndarray, ccw_deg: float, fill: int = 255) -> np.ndarray:
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), ccw_deg, 1.0)
    return cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=(fill, fill, fill))


def _image(rgb: np.ndarray, dpi: float = 300.0) -> PageImage:
    return PageImage(rgb, dpi, PageSource(Path("page.png")), 1)


def _step(prepared, name: str) -> dict:
    return next(s for s in prepared.steps if s.name == name).result


@pytest.mark.parametrize("angle", [-12.0, -3.3, 0.7, 9.0])
def test_deskew_finds_the_angle_to_a_tenth_of_a_degree(angle: float) -> None:
    gray = cv2.cvtColor(_rotate(_page(), -angle), cv2.COLOR_RGB2GRAY)
    found, confidence = estimate_skew(gray)
    assert found == pytest.approx(angle, abs=0.1)
    assert confidence > 0.3


def test_deskew_leaves_a_page_without_text_lines_alone() -> None:
    gray = np.full((1000, 800), 255, np.uint8)
    cv2.putText(gray, "120", (600, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 0, 3)
    assert estimate_skew(gray) == (0.0, 0.0)


def test_prepared_page_is_straight_and_maps_back_to_the_scan() -> None:
    rgb = _rotate(_page(), -4.0)
    # a marker dot at a known place of the scan
    cv2.circle(rgb, (1700, 1000), 9, (0, 0, 0), -1)
    prepared = prepare(_image(rgb), NO_OSD)
    assert _step(prepared, "deskew")["angle"] == pytest.approx(4.0, abs=0.1)
    assert prepared.skew_deg == pytest.approx(4.0, abs=0.1)
    # the straightened page has a skew of about zero
    again, _ = estimate_skew(prepared.gray)
    assert abs(again) <= 0.1
    # find the dot in the prepared image and map it back
    dark = (prepared.gray < 100).astype(np.uint8)
    n, _, stats, centroids = cv2.connectedComponentsWithStats(dark)
    blobs = [i for i in range(1, n) if abs(stats[i, 2] - stats[i, 3]) <= 3 and 14 <= stats[i, 2] <= 26]
    x, y = prepared.to_original(*centroids[max(blobs, key=lambda i: centroids[i][1])])
    assert (x, y) == (pytest.approx(1700, abs=2), pytest.approx(1000, abs=2))


def test_low_resolution_copy_is_enlarged_to_the_target_x_height() -> None:
    prepared = prepare(_image(_page(scale=0.4), dpi=120.0), NO_OSD)
    res = _step(prepared, "resolution")
    assert res["scale"] > 2.0
    assert prepared.gray.shape[1] > 0.8 * 2000
    assert prepared.extra["x_height"] == pytest.approx(PreprocessConfig().target_x_height, rel=0.25)
    # the prepared box of the whole page maps back onto the small scan
    box = prepared.box_to_original(BBox(0, 0, prepared.gray.shape[1], prepared.gray.shape[0]))
    assert box.x1 == prepared.page.width and box.y1 == prepared.page.height


def test_dark_scan_edge_is_whitened_and_reported() -> None:
    rgb = _page()
    rgb[:, :60] = 30  # the scanner lid along the left edge
    rgb[-60:, :] = 40
    prepared = prepare(_image(rgb), NO_OSD)
    assert prepared.gray[:, :70].min() > 200 and prepared.gray[-70:].min() > 200
    border = _step(prepared, "border")
    assert border["left"] >= 60 and border["bottom"] >= 60
    # the text itself survives
    letters = cv2.cvtColor(_page(), cv2.COLOR_RGB2GRAY) < 100
    assert (prepared.gray[letters] < 128).mean() > 0.9


def test_uneven_lighting_is_flattened() -> None:
    rgb = _page().astype(np.float32)
    ramp = np.linspace(0.45, 1.0, rgb.shape[1], dtype=np.float32)[None, :, None]
    gray = cv2.cvtColor((rgb * ramp).astype(np.uint8), cv2.COLOR_RGB2GRAY)
    flat = illumination.flatten(gray, 51)
    paper = flat[flat > 150]
    assert gray[:50, :200].mean() < 140  # the dark side before
    assert np.percentile(paper, 5) > 225 and flat[:50, :200].mean() > 240


def test_violet_stamp_is_removed_from_the_body_image_but_typing_under_it_stays() -> None:
    rgb = _page()
    stamp = np.full_like(rgb, 255)
    cv2.circle(stamp, (900, 400), 230, (120, 60, 170), 14)  # violet stamp ring across the text
    rgb = (rgb.astype(np.uint16) * stamp // 255).astype(np.uint8)  # ink on ink: the darker wins
    prepared = prepare(_image(rgb), NO_OSD)
    mask, ink_free = prepared.extra["ink_mask"], prepared.extra["ink_free"]
    assert _step(prepared, "ink")["fraction"] > 0.005
    ring = np.zeros(mask.shape, np.uint8)
    cv2.circle(ring, (900, 400), 230, 1, 6)  # geometry unchanged: no skew, no scale on this page
    on_ring = ring.astype(bool)
    assert mask[on_ring].mean() > 0.9
    # ink-free: the ring is paper where it crosses no letter; letters keep their black
    letters = cv2.cvtColor(_page(), cv2.COLOR_RGB2GRAY) < 100
    assert ink_free[on_ring & ~cv2.dilate(letters.astype(np.uint8), np.ones((7, 7))).astype(bool)].mean() > 240
    assert ink_free[letters & on_ring].mean() < 130
    assert prepared.extra["ink_only"][on_ring].mean() < 200


SAME_GEOMETRY = PreprocessConfig(orientation=False, min_scale=1.0, max_scale=1.0)


def _faint_typing_under_an_uneven_stamp() -> tuple[np.ndarray, np.ndarray]:
    """Grey typing (a worn ribbon), and the same crossed by a violet ring inked unevenly, as rubber stamps are:
    parts of the ring as dark as the ring over a letter."""
    faint = np.where(_page() < 128, 110, 255).astype(np.uint8)
    stamp = np.full_like(faint, 255)
    cv2.circle(stamp, (900, 400), 230, (95, 35, 150), 16)
    uneven = np.random.default_rng(0).uniform(0.35, 1.0, stamp.shape[:2])[..., None]
    stamp = (255 - (255 - stamp.astype(np.float64)) * uneven * 1.6).clip(0, 255).astype(np.uint8)
    return faint, (faint.astype(np.uint16) * stamp // 255).astype(np.uint8)


def test_faint_typing_under_a_dark_stamp_is_unmixed_not_painted_away() -> None:
    """Grey typing crossed by an unevenly inked stamp: painting the stamp's pixels as paper cuts the letters
    where the stamp is as dark as a crossing; unmixing the two inks' colours draws the letters as they are
    without the stamp, and still clears the ring elsewhere."""
    faint, stamped = _faint_typing_under_an_uneven_stamp()
    ink_free = prepare(_image(stamped), SAME_GEOMETRY).extra["ink_free"].astype(float)
    unstamped = prepare(_image(faint), SAME_GEOMETRY).gray.astype(float)
    ring = np.zeros(ink_free.shape, np.uint8)
    cv2.circle(ring, (900, 400), 230, 1, 8)
    on_ring = ring.astype(bool)
    letters = cv2.cvtColor(faint, cv2.COLOR_RGB2GRAY) < 200
    bare_ring = on_ring & ~cv2.dilate(letters.astype(np.uint8), np.ones((7, 7))).astype(bool)
    assert ink_free[bare_ring].mean() > 225
    crossed = letters & on_ring
    assert np.abs(ink_free[crossed] - unstamped[crossed]).mean() < 60  # painting: about 140


def test_body_text_is_read_from_the_unmixed_typing_not_the_painted_layout_image() -> None:
    """Layout paints over every pixel as light as stamp ink (to find regions without the stamp); body text is
    read from preprocessing's unmixed image, where faint letters the stamp crosses keep their strokes."""
    from digitize.layout import ink as layout_ink

    faint, stamped = _faint_typing_under_an_uneven_stamp()
    masks = layout_ink.separate(prepare(_image(stamped), SAME_GEOMETRY))
    unstamped = prepare(_image(faint), SAME_GEOMETRY).gray.astype(float)
    ring = np.zeros(unstamped.shape, np.uint8)
    cv2.circle(ring, (900, 400), 230, 1, 8)
    crossed = (cv2.cvtColor(faint, cv2.COLOR_RGB2GRAY) < 200) & ring.astype(bool)
    assert masks.typing_image is not None
    typing_error = np.abs(masks.typing_image[crossed] - unstamped[crossed]).mean()
    painted_error = np.abs(masks.ocr_image[crossed] - unstamped[crossed]).mean()
    assert typing_error < 60 and typing_error < 0.6 * painted_error


def test_page_turned_on_its_side_comes_out_upright() -> None:
    rgb = np.ascontiguousarray(np.rot90(_page(size=(2000, 1300)), 1))  # turned 90 degrees counter-clockwise
    prepared = prepare(_image(rgb), PreprocessConfig())
    assert prepared.rotation == 90
    assert prepared.gray.shape[1] > prepared.gray.shape[0]
    assert _step(prepared, "orientation")["confidence"] >= PreprocessConfig().orientation_min_confidence


def test_preprocess_settings_are_validated_and_recorded() -> None:
    with pytest.raises(UsageError):
        RunConfig.from_dict({"preprocess": {"deskw": True}})
    with pytest.raises(UsageError):
        RunConfig.from_dict({"preprocess": {"binarize": "magic"}})
    recorded = RunConfig().to_dict()["preprocess"]
    assert recorded["target_x_height"] == 20.0 and recorded["deskew"] is True


def test_steps_record_what_was_done() -> None:
    prepared = prepare(_image(_rotate(_page(scale=0.5), -2.0), dpi=150.0), NO_OSD)
    names = [s.name for s in prepared.steps]
    assert names[:3] == ["border", "illumination", "resolution"]
    assert {"deskew", "geometry", "border", "ink"} <= set(names)
    for step in prepared.steps:
        step.to_dict()  # JSON-ready
    assert _step(prepared, "deskew")["applied"] is True


REAL = SHARED / "real-scans" / "soviet-letters"


@pytest.mark.skipif(not (REAL / "novosibirsk_1972_p1.jpg").exists(), reason="real scans folder absent")
def test_real_low_resolution_soviet_typewriting_reads_at_least_twice_as_well_as_stock() -> None:
    image = REAL / "novosibirsk_1972_p1.jpg"
    truth = normalize.default((REAL / "novosibirsk_1972_p1.gt.txt").read_text(encoding="utf-8"))
    rgb = np.asarray(Image.open(image).convert("RGB"))
    # stock means the command line as a user types it: Tesseract guesses the resolution itself
    run = subprocess.run(["tesseract", str(image), "-", "-l", "rus"], capture_output=True, timeout=300, check=True)
    stock = run.stdout.decode("utf-8")
    prepared = prepare(_image(rgb), NO_OSD)
    reader = RegionReader(OcrConfig(page_timeout=300))
    lines = lines_from_words(reader.page_words(prepared, image=prepared.extra["ink_free"]))
    ours = "\n".join(ln.text for ln in lines)
    stock_cer = character_errors(truth, normalize.default(stock)).rate
    our_cer = character_errors(truth, normalize.default(ours)).rate
    assert our_cer <= 0.5 * stock_cer, (our_cer, stock_cer)
