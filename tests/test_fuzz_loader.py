"""Property test: mutated image and PDF bytes through discover() + load_page().

Whatever the bytes, the loader returns pages or raises a typed :class:`DigitizeError`: never another
exception, never a hang (each example runs under an alarm), never a file written anywhere. No OCR runs
here, so 500 examples take well under two minutes.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from hostile import pdf_bytes, tiff_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from digitize.config import InputConfig
from digitize.errors import DigitizeError
from digitize.sources import discover, load_page

#: Per-example ceiling; a healthy example takes milliseconds.
EXAMPLE_SECONDS = 20
CFG = InputConfig(max_pixels=4_000_000, max_file_mb=8)


def _page(size: tuple[int, int] = (96, 64)) -> Image.Image:
    rng = np.random.default_rng(7)
    arr = np.full((size[1], size[0]), 255, dtype=np.uint8)
    h, w = arr.shape
    arr[h // 3 : h // 2, w // 8 : w - w // 8] = rng.integers(0, 80, size=(h // 2 - h // 3, w - 2 * (w // 8)))
    return Image.fromarray(arr)


def _encode(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


SEEDS: dict[str, bytes] = {
    "png": _encode(_page().convert("RGB"), "PNG", dpi=(300, 300)),
    "jpg": _encode(_page().convert("RGB"), "JPEG", dpi=(300, 300), exif=Image.Exif().tobytes()),
    "tif": tiff_bytes([_page(), _page((50, 70)).convert("RGB"), _page((40, 30)).convert("1")]),
    "jp2": _encode(_page().convert("RGB"), "JPEG2000"),
    "bmp": _encode(_page().convert("P"), "BMP"),
    "pdf": pdf_bytes(mediabox=(72, 48)),
    "png16": _encode(Image.fromarray(np.arange(64 * 96, dtype=np.uint16).reshape(64, 96)), "PNG"),
}


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """A seed file with a few byte-level mutations: flips, big integers in headers, cuts, splices."""
    kind = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[kind])
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "int", "cut", "insert", "zero"]))
        # header fields (sizes, counts, offsets) sit near the start: bias positions there
        hot = draw(st.booleans())
        pos = draw(st.integers(0, min(len(data) - 1, 256) if hot else len(data) - 1)) if data else 0
        if op == "flip" and data:
            data[pos] ^= draw(st.integers(1, 255))
        elif op == "int":
            value = draw(st.sampled_from([0, 1, 0x7F, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]))
            width = draw(st.sampled_from([2, 4]))
            data[pos : pos + width] = value.to_bytes(4, "big")[-width:]
        elif op == "cut":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif op == "zero":
            data[pos : pos + draw(st.integers(1, 512))] = b"\x00" * min(512, len(data) - pos)
    return kind, bytes(data)


@contextmanager
def alarm(seconds: int) -> Iterator[None]:
    def hung(signum: int, frame: object) -> None:
        raise TimeoutError(f"loader still busy after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _one_example(root: Path, kind: str, data: bytes) -> str:
    """Load one mutated file; returns how it ended ("file refused", "page refused", "page loaded")."""
    folder = Path(tempfile.mkdtemp(dir=root))
    scans = folder / "scans"
    scans.mkdir()
    (scans / f"sample.{kind[:3]}").write_bytes(data)
    before = _tree(folder), set(os.listdir(root))
    started = time.monotonic()
    outcome = "file refused"
    with alarm(EXAMPLE_SECONDS):
        try:
            found = discover(scans, CFG)
            for doc in found.documents:
                for number, page in enumerate(doc.pages[:3], start=1):
                    try:
                        image = load_page(page, number, CFG)
                    except DigitizeError as err:
                        assert err.one_line() and "\n" not in err.one_line()
                        outcome = "page refused"
                        continue
                    outcome = "page loaded"
                    assert image.pixels.dtype == np.uint8 and image.pixels.ndim == 3
                    assert image.pixels.shape[2] == 3 and image.dpi > 0
            for err in found.rejected:
                assert isinstance(err, DigitizeError) and "\n" not in err.one_line()
        except DigitizeError:
            pass  # typed: what the run records as the document's failure
    assert time.monotonic() - started < EXAMPLE_SECONDS
    assert (_tree(folder), set(os.listdir(root))) == before, "the loader wrote a file"
    shutil.rmtree(folder)
    return outcome


def test_mutated_files_load_or_fail_typed(tmp_path: Path) -> None:
    outcomes: dict[str, int] = {}

    @settings(
        max_examples=500,
        deadline=None,  # a shared CI machine makes per-example timing noisy; the alarm bounds hangs instead
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(case=mutated())
    def examples(case: tuple[str, bytes]) -> None:
        outcome = _one_example(tmp_path, *case)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    examples()
    print(f"fuzz outcomes over {sum(outcomes.values())} examples: {outcomes}")
    assert sum(outcomes.values()) >= 500
    # a fuzzer whose files are all refused at the door, or all load, tests little
    assert outcomes.get("page loaded", 0) >= 25, outcomes
    assert outcomes.get("file refused", 0) + outcomes.get("page refused", 0) >= 25, outcomes
