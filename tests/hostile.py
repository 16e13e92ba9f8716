"""Hostile and broken input files, made in code: shared by the hostile-input and fuzz tests.

Each maker writes one file that a scan folder can really contain (an interrupted copy, a renamed web
page, a panorama, an encrypted or scripted PDF...) and returns the reason digitize should give for it.
"""

from __future__ import annotations

import io
import os
import random
import struct
import zlib
from pathlib import Path

import pikepdf
from conftest import SAMPLE_LINES, render_page
from PIL import Image


def png_bytes(img: Image.Image | None = None, **save_kw: object) -> bytes:
    buf = io.BytesIO()
    (img or render_page(SAMPLE_LINES[:1], size=(700, 140))).save(buf, format="PNG", dpi=(300, 300), **save_kw)
    return buf.getvalue()


def jpeg_bytes(img: Image.Image | None = None, **save_kw: object) -> bytes:
    buf = io.BytesIO()
    (img or render_page(SAMPLE_LINES[:1], size=(700, 140))).save(buf, format="JPEG", dpi=(300, 300), **save_kw)
    return buf.getvalue()


def tiff_bytes(frames: list[Image.Image]) -> bytes:
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:], dpi=(300, 300))
    return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels and holds a few bytes of data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def png_bomb(side: int) -> bytes:
    """A complete grey PNG of ``side`` x ``side`` pixels that compresses to a small file."""
    comp = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * side
    parts = [comp.compress(row) for _ in range(side)]
    parts.append(comp.flush())
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")


def pdf_bytes(
    *,
    text: str | None = None,
    javascript: bool = False,
    password: str | None = None,
    mediabox: tuple[float, float] = (350, 70),
) -> bytes:
    """A one-page PDF: a scan image, optionally visible text, an opening script or encryption."""
    pdf = pikepdf.new()
    w, h = mediabox
    img = render_page(SAMPLE_LINES[:1], size=(700, 140)).convert("L")
    image = pikepdf.Stream(pdf, zlib.compress(img.tobytes()))
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height = img.width, img.height
    image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceGray, 8
    image.Filter = pikepdf.Name.FlateDecode
    content = f"q {w} 0 0 {h} 0 0 cm /Im0 Do Q".encode()
    resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    if text is not None:
        font = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
        )
        resources.Font = pikepdf.Dictionary(F1=font)
        content += f" BT /F1 10 Tf 10 10 Td ({text}) Tj ET".encode()
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, w, h],
        Resources=resources,
        Contents=pikepdf.Stream(pdf, content),
    )
    pdf.pages.append(pikepdf.Page(page))
    if javascript:
        action = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('hi');"))
        pdf.Root.OpenAction = pdf.make_indirect(action)
    buf = io.BytesIO()
    encryption = pikepdf.Encryption(user=password, owner=password + "-owner") if password else None
    pdf.save(buf, encryption=encryption or False)
    return buf.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def make_hostile_folder(scans: Path, outside: Path) -> dict[str, str]:
    """Twenty hostile files in ``scans``; returns {file name: fragment of the reason digitize must give}.

    ``outside`` is a folder beside ``scans`` that a symlink points into.
    """
    good_jpeg = jpeg_bytes()
    # fixed bytes, so each hostile file fails for the same reason on every run
    junk = random.Random(0).randbytes(3000)
    write(outside / "secret.png", png_bytes())
    expected: dict[str, str] = {}

    def add(name: str, data: bytes, reason: str) -> None:
        write(scans / name, data)
        expected[name] = reason

    add("zero-bytes.png", b"", "empty file")
    add("truncated.jpg", good_jpeg[: len(good_jpeg) // 3], "truncated")
    add("panorama.png", png_header_only(40_000, 60_000), "40000x60000 pixels, over the --max-pixels")
    add("bomb.png", png_bomb(8000), "8000x8000 pixels, over the --max-pixels")
    add("encrypted.pdf", pdf_bytes(password="secret"), "encrypted")
    add("has-text.pdf", pdf_bytes(text="Already OCRed"), "already has a text layer")
    add("javascript.pdf", pdf_bytes(javascript=True), "active content")
    add("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\n" + junk[:500], "PDF")
    add("huge-page.pdf", pdf_bytes(mediabox=(14_000, 14_000)), "over the --max-pixels")
    add("garbage.jpg", b"\x00GARBAGE" + junk, "not an image or PDF")
    add("fake-magic.jpg", b"\xff\xd8\xff" + junk, "unreadable image")
    add("web-page.png", b"<!DOCTYPE html><html><body>404 Not Found</body></html>", "not an image or PDF")
    add("bad-tiff.tif", b"II*\x00" + struct.pack("<I", 8) + b"\xff\xff" + junk[:64], "unreadable image")
    add("evil\\..\\..\\escape.png", b"GIF89a" + junk[:100], "not an image or PDF")
    add("two\nlines\x1b[31m.png", good_jpeg[:200], "truncated")
    add(os.fsdecode(b"bad-utf8-\xff\xfe.png"), png_bytes(), "file name is not valid UTF-8")
    (scans / "escape-link.png").symlink_to(outside / "secret.png")
    expected["escape-link.png"] = "symlink leads out of the input folder"
    (scans / "dangling.png").symlink_to(scans / "no-such-file.png")
    expected["dangling.png"] = "broken symlink"
    os.mkfifo(scans / "pipe.tif")
    expected["pipe.tif"] = "not a regular file"
    add("folder-doc/page-1.png", png_bytes(), "")
    add("folder-doc/page-2.png", b"", "empty file")
    del expected["folder-doc/page-1.png"]
    return expected
