"""Discovery and loading: typing by content, names, symlinks, limits, colour modes, EXIF, TIFF, PDFs."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from hostile import jpeg_bytes, pdf_bytes, png_bytes, tiff_bytes, write
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from digitize.config import InputConfig
from digitize.errors import InputError
from digitize.pipeline import outputs_for
from digitize.sources import discover, load_page, safe_name


def reasons(found) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {e.path.name: e.message for e in found.rejected}


def test_files_are_typed_by_content_not_extension(tmp_path: Path) -> None:
    write(tmp_path / "really-a-png.pdf", png_bytes())
    write(tmp_path / "really-a-pdf.jpg", pdf_bytes())
    write(tmp_path / "notes.tif", b"just some notes\n")
    found = discover(tmp_path)
    kinds = {d.name: d.pages[0].kind for d in found.documents}
    assert kinds == {"really-a-png": "image", "really-a-pdf": "pdf"}
    assert "not an image or PDF" in reasons(found)["notes.tif"]


@pytest.mark.parametrize(
    "raw",
    [
        "../../etc/passwd",
        "..",
        ".",
        "a/../../b",
        "evil\\..\\..\\x",
        "-rf",
        "CON",
        "report",
        "\u202egnp.exe",
        "line\nbreak\x1b[2J",
        "x" * 400,
        "Ж" * 300,
        "文" * 300,
        "  ",
        os.fsdecode(b"\xff\xfe"),
    ],
)
def test_document_names_stay_one_component_inside_out(tmp_path: Path, raw: str) -> None:
    name = safe_name(raw)
    assert name and "/" not in name and "\\" not in name and not name.startswith((".", "-"))
    assert len(name.encode("utf-8")) <= 150
    assert name.isprintable()
    name.encode("utf-8")  # no lone surrogates left
    out = tmp_path / "out"
    outputs = outputs_for(out, name)
    for p in (outputs.folder, outputs.text, outputs.json):
        assert p.resolve().is_relative_to(out.resolve()) and p.resolve() != out.resolve()
    assert name.casefold() not in {"report", "con"}


def test_cyrillic_names_are_kept_and_duplicates_made_unique(tmp_path: Path) -> None:
    write(tmp_path / "Письмо Багирова.png", png_bytes())
    write(tmp_path / "Scan.png", png_bytes())
    write(tmp_path / "scan.tif", tiff_bytes([Image.open(io.BytesIO(png_bytes()))]))
    names = sorted(d.name for d in discover(tmp_path).documents)
    assert names == ["Scan", "scan-2", "Письмо_Багирова"]


def test_symlinks_inside_followed_outside_refused_unless_asked(tmp_path: Path) -> None:
    scans, outside = tmp_path / "scans", tmp_path / "outside"
    write(scans / "real.png", png_bytes())
    write(outside / "secret.png", png_bytes())
    (scans / "inner-link.png").symlink_to(scans / "real.png")
    (scans / "outer-link.png").symlink_to(outside / "secret.png")
    (scans / "dangling.png").symlink_to(scans / "gone.png")
    (scans / "loop.png").symlink_to(scans / "loop.png")
    (scans / "outer-dir").symlink_to(outside)
    found = discover(scans)
    assert {d.name for d in found.documents} == {"real", "inner-link"}
    why = reasons(found)
    assert "leads out of the input folder" in why["outer-link.png"]
    assert "leads out of the input folder" in why["outer-dir"]
    assert why["dangling.png"] == "broken symlink"
    assert why["loop.png"] == "symlink loop"
    followed = discover(scans, InputConfig(follow_symlinks=True))
    assert {d.name for d in followed.documents} == {"real", "inner-link", "outer-link", "outer-dir"}


def test_fifo_and_empty_and_oversized_files_are_refused_without_reading(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.png")  # opening it would block for ever
    write(tmp_path / "empty.jpg", b"")
    write(tmp_path / "big.png", png_bytes())
    found = discover(tmp_path, InputConfig(max_file_mb=0.001))
    why = reasons(found)
    assert "not a regular file" in why["pipe.png"]
    assert "empty file" in why["empty.jpg"]
    assert "over the size limit of 0.001 MiB" in why["big.png"]
    assert found.documents == ()


def test_folder_document_with_a_bad_page_fails_whole_and_names_the_page(tmp_path: Path) -> None:
    write(tmp_path / "letter" / "p1.png", png_bytes())
    write(tmp_path / "letter" / "p2.png", b"\x89PNG\r\n\x1a\n broken")
    write(tmp_path / "letter" / "notes.txt", b"sidecar, ignored")
    found = discover(tmp_path)
    assert found.documents == ()
    assert [e.path.name for e in found.rejected] == ["p2.png"]


def test_output_folder_inside_the_input_is_not_read_as_a_document(tmp_path: Path) -> None:
    write(tmp_path / "scan.png", png_bytes())
    write(tmp_path / "out" / "run.json", b"{}")
    write(tmp_path / "out" / "scan" / "scan.png", png_bytes())
    assert [d.name for d in discover(tmp_path).documents] == ["scan"]


def test_pixel_guard_names_the_size_before_decoding(tmp_path: Path) -> None:
    write(tmp_path / "wide.png", png_bytes(Image.new("L", (3000, 2000), 255)))
    found = discover(tmp_path, InputConfig(max_pixels=5_000_000))
    assert "image is 3000x2000 pixels, over the --max-pixels limit of 5000000" in reasons(found)["wide.png"]
    assert len(discover(tmp_path, InputConfig(max_pixels=6_000_000)).documents) == 1


def test_multipage_tiff_with_mixed_sizes_and_modes(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (600, 800), "white"), Image.new("L", (900, 300), 128), Image.new("1", (200, 200), 1)]
    write(tmp_path / "mixed.tif", tiff_bytes(frames))
    (doc,) = discover(tmp_path).documents
    assert [p.label for p in doc.pages] == ["mixed.tif#1", "mixed.tif#2", "mixed.tif#3"]
    shapes = [load_page(p, i + 1).pixels.shape for i, p in enumerate(doc.pages)]
    assert shapes == [(800, 600, 3), (300, 900, 3), (200, 200, 3)]
    # one oversized frame refuses the file, naming the page
    frames.append(Image.new("L", (3000, 3000), 255))
    write(tmp_path / "mixed.tif", tiff_bytes(frames))
    found = discover(tmp_path, InputConfig(max_pixels=2_000_000))
    assert found.rejected[0].page == 4 and "3000x3000" in found.rejected[0].message


def _save(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def test_colour_modes_become_8bit_rgb(tmp_path: Path) -> None:
    gray16 = np.zeros((40, 50), dtype=np.uint16)
    gray16[:, 25:] = 65535
    alpha = Image.new("RGBA", (50, 40), (0, 0, 0, 0))
    alpha.paste((10, 10, 10, 255), (0, 0, 25, 40))
    palette = Image.new("P", (50, 40), 0)
    palette.putpalette([255, 255, 255, 0, 0, 0])
    palette.paste(1, (0, 0, 25, 40))
    files = {
        "gray16.png": _save(Image.fromarray(gray16), "PNG"),
        "cmyk.jpg": _save(Image.new("CMYK", (50, 40), (0, 0, 0, 255)), "JPEG"),
        "alpha.png": _save(alpha, "PNG"),
        "palette.png": _save(palette, "PNG", transparency=0),
        "float.tif": _save(Image.fromarray(np.full((40, 50), 0.5, dtype=np.float32)), "TIFF"),
        "bilevel.bmp": _save(Image.new("1", (50, 40), 0), "BMP"),
    }
    for name, data in files.items():
        write(tmp_path / name, data)
    pages = {d.name: load_page(d.pages[0], 1) for d in discover(tmp_path).documents}
    assert set(pages) == {n.split(".")[0] for n in files}
    for page in pages.values():
        assert page.pixels.dtype == np.uint8 and page.pixels.shape == (40, 50, 3)
    g = pages["gray16"].pixels
    assert g[0, 0, 0] == 0 and g[0, 49, 0] == 255  # the 16-bit range is kept, scaled, not clipped
    a = pages["alpha"].pixels
    assert a[0, 0].tolist() == [10, 10, 10] and a[0, 49].tolist() == [255, 255, 255]  # transparent -> paper
    p = pages["palette"].pixels
    assert p[0, 0].tolist() == [0, 0, 0] and p[0, 49].tolist() == [255, 255, 255]
    assert pages["cmyk"].pixels.mean() < 40  # full black ink stays dark
    assert pages["bilevel"].pixels.max() == 0


def test_exif_orientation_is_honoured(tmp_path: Path) -> None:
    img = Image.new("RGB", (300, 100), "white")
    img.paste((0, 0, 0), (0, 0, 30, 30))  # a mark at the stored top-left
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90 degrees clockwise
    write(tmp_path / "rotated.jpg", jpeg_bytes(img, exif=exif.tobytes()))
    (doc,) = discover(tmp_path).documents
    px = load_page(doc.pages[0], 1).pixels
    assert px.shape == (300, 100, 3)
    assert px[:30, -30:].mean() < 60 and px[:30, :30].mean() > 200  # the mark is now top-right


def test_corrupt_exif_does_not_lose_the_page(tmp_path: Path) -> None:
    data = bytearray(jpeg_bytes(exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x05\x01\x12\x00\x03"))
    write(tmp_path / "bad-exif.jpg", bytes(data))
    (doc,) = discover(tmp_path).documents
    assert load_page(doc.pages[0], 1).pixels.shape[2] == 3


def test_truncated_image_fails_at_load_with_one_line(tmp_path: Path) -> None:
    data = jpeg_bytes()
    write(tmp_path / "cut.jpg", data[: len(data) // 2])
    (doc,) = discover(tmp_path).documents
    with pytest.raises(InputError) as info:
        load_page(doc.pages[0], 1)
    assert "truncated" in info.value.one_line() and "cut.jpg, page 1" in info.value.one_line()


def test_encrypted_pdf_needs_password(tmp_path: Path) -> None:
    write(tmp_path / "locked.pdf", pdf_bytes(password="secret"))
    assert "give its password with --password" in reasons(discover(tmp_path))["locked.pdf"]
    assert "does not open it" in reasons(discover(tmp_path, InputConfig(password="wrong")))["locked.pdf"]
    cfg = InputConfig(password="secret")
    (doc,) = discover(tmp_path, cfg).documents
    page = load_page(doc.pages[0], 1, cfg)
    assert page.pixels.shape[2] == 3 and page.pixels.min() < 100  # the text is there


def test_pdf_with_text_follows_mode(tmp_path: Path) -> None:
    write(tmp_path / "ocred.pdf", pdf_bytes(text="Already OCRed"))
    skipped = discover(tmp_path)
    assert skipped.documents == () and skipped.rejected == ()
    assert "already has a text layer" in skipped.skipped[0].message
    for mode in ("redo", "force"):
        assert [d.name for d in discover(tmp_path, InputConfig(mode=mode)).documents] == ["ocred"]


def test_pdf_with_javascript_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "script.pdf", pdf_bytes(javascript=True))
    assert "active content" in reasons(discover(tmp_path))["script.pdf"]


def test_damaged_pdf_is_repaired_or_named(tmp_path: Path) -> None:
    good = pdf_bytes()
    # a wrong startxref offset: qpdf rebuilds the cross-reference table and the page renders
    cut = good.rindex(b"startxref")
    write(tmp_path / "bad-xref.pdf", good[:cut] + b"startxref\n999999\n%%EOF\n")
    write(tmp_path / "hopeless.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 4)
    found = discover(tmp_path)
    (doc,) = found.documents
    assert doc.name == "bad-xref" and load_page(doc.pages[0], 1).pixels.min() < 100
    assert "PDF" in reasons(found)["hopeless.pdf"]


def test_pdf_page_that_would_rasterise_too_large_is_refused_at_load(tmp_path: Path) -> None:
    write(tmp_path / "poster.pdf", pdf_bytes(mediabox=(14_000, 14_000)))
    (doc,) = discover(tmp_path).documents
    with pytest.raises(InputError, match="over the --max-pixels limit"):
        load_page(doc.pages[0], 1)


def test_pdf_with_no_pages(tmp_path: Path) -> None:
    buf = io.BytesIO()
    pikepdf.new().save(buf)
    write(tmp_path / "empty.pdf", buf.getvalue())
    assert reasons(discover(tmp_path))["empty.pdf"] == "PDF has no pages"


def test_pdf_with_an_image_bomb_is_refused_before_pdfium_decodes_it(tmp_path: Path) -> None:
    pdf = pikepdf.open(io.BytesIO(pdf_bytes()))
    image = pdf.pages[0].Resources.XObject.Im0
    image.Width, image.Height = 40_000, 60_000  # a few KB of data claiming 2.4 gigapixels
    pdf.save(tmp_path / "bomb.pdf")
    found = discover(tmp_path)
    assert found.documents == ()
    (err,) = found.rejected
    assert err.page == 1 and "image of 40000x60000 pixels, over the --max-pixels limit" in err.message


@settings(max_examples=300, deadline=None)
@given(raw=st.text(alphabet=st.characters(exclude_categories=()), max_size=300))
def test_any_name_becomes_one_safe_component(raw: str) -> None:
    name = safe_name(raw)
    assert name and name not in (".", "..") and "/" not in name and "\x00" not in name
    assert name.isprintable() and not name.startswith((".", "-"))
    assert 0 < len(name.encode("utf-8")) <= 150
    assert safe_name(name) == name  # stable: a sanitised name is left alone


def test_pdf_page_dpi_follows_the_scan_on_a_sideways_page(tmp_path: Path) -> None:
    # a 700 px wide scan laid along the 350 pt long side of a portrait page: 700 px / (350/72) in = 144 dpi
    write(tmp_path / "sideways.pdf", pdf_bytes(mediabox=(70, 350)))
    (doc,) = discover(tmp_path).documents
    page = load_page(doc.pages[0], 1)
    assert page.dpi == pytest.approx(144, abs=1)
    assert page.pixels.shape[:2] == (700, 140)
