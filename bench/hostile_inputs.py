"""What hostile inputs cost a run, beside baselines measured in the same run.

Made in a temporary folder: the 20 hostile files of ``tests/test_hostile_inputs.py`` (zero-byte, truncated JPEG,
40000x60000 panorama header, PNG bomb, encrypted / scripted / text / damaged / giant-page PDFs, path-trick and
non-UTF-8 names, symlinks out, a FIFO...) and 3 small good documents.

Measured:
- run: ``api.run`` over the 3 good documents alone (baseline) and over the 23 files (PDF/A on, 2 jobs): the
  extra time the hostile files cost, and that the exit code is 3 with the good documents done;
- checks: ``discover()`` over the 23 files (every check before work) beside a naive listing that only opens
  each regular file's header with Pillow or pikepdf (baseline, no checks);
- fuzz: ``--examples`` mutated files through ``discover()`` + ``load_page()`` (as ``tests/test_fuzz_loader.py``),
  files per second and how they ended, beside the unmutated seeds (baseline).

    .venv/bin/python bench/hostile_inputs.py                 # 1000 fuzz examples

Writes ``bench/results/hostile_inputs.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import stat
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import pikepdf  # noqa: E402
from hostile import make_hostile_folder  # noqa: E402
from PIL import Image  # noqa: E402
from test_fuzz_loader import SEEDS, _one_example  # noqa: E402
from test_hostile_inputs import good_documents  # noqa: E402

from digitize import api  # noqa: E402
from digitize.config import InputConfig, RunConfig  # noqa: E402
from digitize.sources import discover  # noqa: E402


def _naive_open(folder: Path) -> int:
    """Open every regular file's header with no checks at all; the count opened."""
    n = 0
    for path in folder.rglob("*"):
        try:
            if path.is_symlink() or not stat.S_ISREG(path.stat().st_mode):
                continue  # a FIFO would block the baseline itself
            with path.open("rb") as fh:
                pdf = b"%PDF-" in fh.read(1024)
            if pdf:
                with pikepdf.open(path):
                    n += 1
            else:
                with Image.open(path):
                    n += 1
        except Exception:  # the baseline does not care why
            continue
    return n


def _mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        pos = rng.randrange(min(len(buf), 256) if rng.random() < 0.5 else len(buf)) if buf else 0
        op = rng.choice(["flip", "int", "cut", "insert"])
        if op == "flip" and buf:
            buf[pos] ^= rng.randint(1, 255)
        elif op == "int":
            buf[pos : pos + 4] = rng.choice([0, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]).to_bytes(4, "big")
        elif op == "cut":
            del buf[pos:]
        else:
            buf[pos:pos] = os.urandom(rng.randint(1, 64))
    return bytes(buf)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    results: dict[str, dict[str, Any]] = {}
    # the fuzz loop repairs and refuses hundreds of files on purpose; their log lines are not news here
    logging.getLogger("digitize").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="digitize-bench-hostile-") as tmp:
        root = Path(tmp)
        good_only, mixed = root / "good", root / "mixed"
        good_documents(good_only)
        good_documents(mixed)
        make_hostile_folder(mixed, root / "outside")
        cfg = RunConfig().updated(input={"max_pixels": 30_000_000})

        t0 = time.perf_counter()
        base = api.run(good_only, root / "out-good", config=cfg, jobs=args.jobs)
        t_base = time.perf_counter() - t0
        t0 = time.perf_counter()
        run = api.run(mixed, root / "out-mixed", config=cfg, jobs=args.jobs)
        t_run = time.perf_counter() - t0
        statuses = [d.status for d in run.batch.documents]
        results["run"] = {
            "baseline_3_good_s": round(t_base, 2),
            "hostile_20_plus_3_good_s": round(t_run, 2),
            "extra_s": round(t_run - t_base, 2),
            "exit_code": run.exit_code,
            "baseline_exit_code": base.exit_code,
            "done": statuses.count("done"),
            "failed": statuses.count("failed"),
            "skipped": statuses.count("skipped"),
        }

        reps = 5
        t0 = time.perf_counter()
        for _ in range(reps):
            found = discover(mixed, InputConfig(max_pixels=30_000_000))
        t_checks = (time.perf_counter() - t0) / reps
        t0 = time.perf_counter()
        for _ in range(reps):
            opened = _naive_open(mixed)
        t_naive = (time.perf_counter() - t0) / reps
        results["checks"] = {
            "files": sum(1 for _ in mixed.rglob("*")),
            "discover_ms": round(t_checks * 1000, 1),
            "baseline_naive_open_ms": round(t_naive * 1000, 1),
            "documents": len(found.documents),
            "refused": len(found.rejected),
            "skipped": len(found.skipped),
            "baseline_opened": opened,
        }

        rng = random.Random(8)
        fuzz_root = root / "fuzz"
        fuzz_root.mkdir()
        kinds = sorted(SEEDS)
        t0 = time.perf_counter()
        for kind in kinds * 10:
            _one_example(fuzz_root, kind, SEEDS[kind])
        t_seed = (time.perf_counter() - t0) / (10 * len(kinds))
        outcomes: dict[str, int] = {}
        t0 = time.perf_counter()
        for _ in range(args.examples):
            kind = rng.choice(kinds)
            outcome = _one_example(fuzz_root, kind, _mutate(SEEDS[kind], rng))
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        t_fuzz = (time.perf_counter() - t0) / args.examples
        results["fuzz"] = {
            "examples": args.examples,
            "ms_per_example": round(t_fuzz * 1000, 2),
            "baseline_unmutated_ms_per_file": round(t_seed * 1000, 2),
            "outcomes": outcomes,
            "untyped_errors_or_hangs": 0,  # _one_example raises on either, which would stop this script
        }

    r: dict[str, Any] = results["run"]
    c: dict[str, Any] = results["checks"]
    f: dict[str, Any] = results["fuzz"]
    print("hostile inputs benchmark")
    print(f"  run, 3 good alone (baseline)      {r['baseline_3_good_s']:8.2f} s  exit {r['baseline_exit_code']}")
    print(
        f"  run, 20 hostile + 3 good          {r['hostile_20_plus_3_good_s']:8.2f} s  exit {r['exit_code']}, "
        f"{r['done']} done, {r['failed']} failed, {r['skipped']} skipped"
    )
    print(f"  discover() with every check       {c['discover_ms']:8.1f} ms for {c['files']} entries")
    print(f"  naive header open (baseline)      {c['baseline_naive_open_ms']:8.1f} ms")
    print(f"  fuzz, mutated file                {f['ms_per_example']:8.2f} ms/example over {f['examples']}")
    print(f"    outcomes {f['outcomes']}")
    print(f"  unmutated seed file (baseline)    {f['baseline_unmutated_ms_per_file']:8.2f} ms/file")
    out = REPO / "bench" / "results" / "hostile_inputs.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
