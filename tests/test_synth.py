"""The facsimile generator: reproducible scans, exact region ground truth, ink inside the regions."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import xmlschema
from click.testing import CliRunner
from lxml import etree

from digitize.cli import main
from digitize.errors import OutputError, UsageError
from digitize.models import RegionType
from digitize.pagexml import read_page_xml
from digitize.synth import (
    load_ground_truth,
    parse_knobs,
    preset,
    render_document,
    render_page,
    synthesize_corpus,
    synthesize_document,
)
from digitize.synth.corpus import corpus_page
from digitize.synth.layout import split_blocks
from digitize.synth.render import library_versions

REPO = Path(__file__).resolve().parent.parent
GT = REPO / "ground_truth" / "bagirov-1946-04-20"
SCANS = REPO / "scans"
XSD = Path(__file__).parent / "resources" / "pagecontent-2019-07-15.xsd"

# the commands that made the committed scans (README, "Facsimiles")
COMMITTED = {
    "bagirov-1946-04-20": ("typical", 1946),
    "bagirov-1946-04-20-hard": ("hard", 1946),
}


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(XSD)


def _same_libraries_as_committed(name: str) -> None:
    """Exact bytes hold only with the numpy, Pillow (FreeType, libjpeg) and OpenCV the scans were made with."""
    committed = read_page_xml(REPO / "ground_truth" / name / "0001.xml").steps[0].params["libraries"]
    if committed != library_versions():
        pytest.skip(f"scans were made with {committed}, this environment has {library_versions()}")


@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_regeneration_reproduces_the_committed_scans_byte_for_byte(name: str, tmp_path: Path) -> None:
    _same_libraries_as_committed(name)
    preset_name, seed = COMMITTED[name]
    out, gt_out = tmp_path / "scans", tmp_path / "gt"
    written = synthesize_document(GT, out, preset(preset_name), seed=seed, gt_out=gt_out, preset_name=preset_name)
    assert [p.name for p in written] == ["0001.jpg", "0002.jpg", "0003.jpg"]
    for img in written:
        assert img.read_bytes() == (SCANS / name / img.name).read_bytes(), f"{name}/{img.name} differs"
        stem = img.stem
        committed_gt = REPO / "ground_truth" / name
        assert (gt_out / f"{stem}.xml").read_bytes() == (committed_gt / f"{stem}.xml").read_bytes()
        assert (gt_out / f"{stem}.gt.txt").read_bytes() == (committed_gt / f"{stem}.gt.txt").read_bytes()
    # the transcription itself is what the layout reproduces, unchanged
    for stem in ("0001", "0002", "0003"):
        assert (gt_out / f"{stem}.gt.txt").read_bytes() == (GT / f"{stem}.gt.txt").read_bytes()


@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_committed_page_xml_is_valid_and_its_regions_carry_the_ground_truth(
    name: str, schema: xmlschema.XMLSchema
) -> None:
    folder = REPO / "ground_truth" / name
    for stem in ("0001", "0002", "0003"):
        xml = folder / f"{stem}.xml"
        schema.validate(etree.parse(str(xml)))
        page = read_page_xml(xml)
        assert page.source == f"{stem}.jpg"
        gt_blocks = split_blocks((GT / f"{stem}.gt.txt").read_text(encoding="utf-8"))
        texts = [r.text for r in page.regions if r.text]
        assert texts == gt_blocks  # every block, exactly, in reading order
        with_text = [r for r in page.regions if r.text]
        assert with_text[-1 if stem != "0003" else 0].type == RegionType.FOLIO_NUMBER
        for r in with_text:
            assert "\n".join(ln.text for ln in r.lines).replace("\n", " ") == r.text.replace("\n", " ")


def _ink_outside(pages: list) -> list[float]:
    fractions = []
    for rp in pages:
        inside = np.zeros(rp.ink.shape, np.uint8)
        for r in rp.page.regions:
            cv2.fillPoly(inside, [np.array(r.polygon, np.int32)], 1)
        ink = rp.ink > 0.1
        fractions.append(float((ink & (inside == 0)).sum()) / max(1, int(ink.sum())))
    return fractions


@pytest.mark.parametrize("preset_name", ["typical", "hard"])
def test_rendered_ink_lies_inside_the_region_polygons(preset_name: str) -> None:
    source = load_ground_truth(GT)
    pages = render_document(source, preset(preset_name), seed=5, dpi=100, keep_ink=True)
    for frac in _ink_outside(pages):
        assert frac < 0.005


def test_line_boxes_lie_on_their_lines_of_ink() -> None:
    source = load_ground_truth(GT)
    pages = render_document(source, preset("typical"), seed=5, dpi=100, keep_ink=True)
    for rp in pages:
        for r in rp.page.regions:
            for ln in r.lines:
                b = ln.bbox
                assert r.bbox.intersection(b) == b.area, f"{r.id}: line {ln.text!r} sticks out of its region"
                box_ink = rp.ink[b.y0 : b.y1, b.x0 : b.x1] > 0.1
                # the ink of a line sits inside its box: its top and bottom rows are nearly empty margins
                assert box_ink.any(), f"{r.id}: no ink in the box of {ln.text!r}"
                rows = box_ink.sum(axis=1)
                assert rows[: max(1, len(rows) // 5)].sum() < rows.sum() / 3, f"{r.id}: box of {ln.text!r} is too low"


def test_the_same_seed_gives_the_same_pixels_and_another_seed_does_not() -> None:
    source = load_ground_truth(GT)
    spec = source.layout.pages[1]
    blocks = source.blocks[spec.stem]
    a = render_page(spec, blocks, preset("typical"), seed=3, dpi=75)
    b = render_page(spec, blocks, preset("typical"), seed=3, dpi=75)
    c = render_page(spec, blocks, preset("typical"), seed=4, dpi=75)
    assert np.array_equal(a.image, b.image)
    assert not np.array_equal(a.image, c.image)


def test_a_changed_transcription_is_never_overwritten(tmp_path: Path) -> None:
    gt = tmp_path / "gt"
    gt.mkdir()
    for f in GT.iterdir():
        (gt / f.name).write_bytes(f.read_bytes())
    (gt / "0003.gt.txt").write_text("120\n\nе\n\nм\n", encoding="utf-8")
    with pytest.raises(UsageError):  # three blocks, but the layout places two
        synthesize_document(gt, tmp_path / "out", preset("clean"), seed=1, dpi=50)
    # the right blocks, but spacing the rendered page text would not reproduce: the transcription stays as it is
    (gt / "0003.gt.txt").write_text("120\n\n\nе\nм\nи", encoding="utf-8")
    with pytest.raises(OutputError):
        synthesize_document(gt, tmp_path / "out", preset("clean"), seed=1, dpi=50, gt_out=gt)
    assert (gt / "0003.gt.txt").read_text(encoding="utf-8") == "120\n\n\nе\nм\nи"


def test_corpus_pages_come_with_valid_ground_truth(tmp_path: Path, schema: xmlschema.XMLSchema) -> None:
    knobs = parse_knobs(preset("typical"), ["jpeg_quality=60"])
    images = synthesize_corpus(4, tmp_path, knobs, seed=7, dpi=100, jobs=2)
    assert [p.name for p in images] == ["0001.jpg", "0002.jpg", "0003.jpg", "0004.jpg"]
    kinds = set()
    for img in images:
        xml = tmp_path / f"{img.stem}.xml"
        schema.validate(etree.parse(str(xml)))
        page = read_page_xml(xml)
        gt = (tmp_path / f"{img.stem}.gt.txt").read_text(encoding="utf-8")
        assert gt == "\n\n".join(r.text for r in page.regions if r.text) + "\n"
        types = [r.type for r in page.regions]
        assert RegionType.BODY in types and types[-1] == RegionType.FOLIO_NUMBER
        kinds.add(RegionType.TRANSMISSION_BLOCK in types)
    # the same page again, alone and in another process count, is the same file
    again = synthesize_corpus(1, tmp_path / "again", knobs, seed=7, dpi=100, jobs=1)
    assert again[0].read_bytes() == images[0].read_bytes()


def test_corpus_pages_vary() -> None:
    specs = [corpus_page(i, 11) for i in range(12)]
    texts = {r.text for s in specs for r in s.regions if r.type == RegionType.ADDRESSEE}
    assert len(texts) >= 10
    assert len({len(s.regions) for s in specs}) >= 3


def test_cli_makes_pages_and_a_contact_sheet(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.png"
    result = CliRunner().invoke(
        main,
        [
            "synth",
            "--corpus",
            "2",
            "--seed",
            "3",
            "--dpi",
            "60",
            "--jobs",
            "1",
            "--out",
            str(tmp_path / "c"),
            "--contact-sheet",
            str(sheet),
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [
        "0001.gt.txt",
        "0001.jpg",
        "0001.xml",
        "0002.gt.txt",
        "0002.jpg",
        "0002.xml",
    ]
    img = cv2.imread(str(sheet))
    assert img is not None and img.shape[1] > img.shape[0]  # two pages side by side


def test_cli_rejects_unknown_knobs_and_missing_source(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["synth", str(GT), "--out", str(tmp_path), "--knob", "skew=3"])
    assert r.exit_code == 2 and "skew" in r.output
    r = CliRunner().invoke(main, ["synth", "--out", str(tmp_path)])
    assert r.exit_code == 2


def test_the_public_api_is_complete() -> None:
    import digitize.synth as synth

    assert all(hasattr(synth, name) for name in synth.__all__)
    public = {n for n in dir(synth) if not n.startswith("_") and callable(getattr(synth, n))}
    modules = {"corpus", "document", "ink", "knobs", "layout", "paper", "render", "sheet", "stamps"}
    assert public - modules <= set(synth.__all__)
