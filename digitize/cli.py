"""Command-line interface: a thin shell over :mod:`digitize.api` that parses, calls and prints."""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from . import __version__, api
from .config import RunConfig
from .errors import DigitizeError, ExitCode

err_console = Console(stderr=True, highlight=False)
console = Console(highlight=False)


class _Group(click.Group):
    """Turns library errors into one line on stderr and their documented exit code."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DigitizeError as err:
            click.echo(f"digitize: error: {err.one_line()}", err=True)
            sys.exit(int(err.exit_code))
        except KeyboardInterrupt:
            err_console.print("digitize: interrupted", markup=False)
            sys.exit(int(ExitCode.INTERRUPTED))


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="digitize")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
def main(verbose: int) -> None:
    """Searchable PDF/A, text and structured data from scans of archival documents."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def _accuracy_table(summary: api.AccuracySummary) -> Table:
    table = Table(title=f"Accuracy against ground truth (profile '{summary.profile}')")
    table.add_column("document")
    table.add_column("pages", justify="right")
    table.add_column("chars", justify="right")
    table.add_column("CER", justify="right")
    table.add_column("WER", justify="right")
    table.add_column("CER exact", justify="right")
    for d in summary.documents:
        table.add_row(
            d.name,
            str(len(d.pages)),
            str(d.chars.reference_length),
            f"{d.chars.rate:.2%}",
            f"{d.words.rate:.2%}",
            f"{d.exact_chars.rate:.2%}",
        )
    table.add_row(
        "all (weighted by characters)",
        str(sum(len(d.pages) for d in summary.documents)),
        str(summary.chars.reference_length),
        f"{summary.chars.rate:.2%}",
        f"{summary.words.rate:.2%}",
        f"{summary.exact_chars.rate:.2%}",
        style="bold",
    )
    table.caption = (
        f"mean page CER {summary.mean_page_cer:.2%}; bag-of-words F1 {summary.bow.f1:.2%}; "
        f"flexible character accuracy {summary.flex.accuracy:.2%}"
    )
    return table


@main.command()
@click.argument("scans", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option(
    "--ground-truth",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Ground-truth folder: print and save CER/WER.",
)
@click.option("--lang", default=None, help="Tesseract languages (default: rus).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Pages read in parallel (default: all cores).")
@click.option(
    "--dpi", type=click.FloatRange(min=1), default=None, help="DPI for images that record none (default 300)."
)
@click.option("--force", is_flag=True, help="Redo documents already done with the same input and settings.")
@click.option("--no-pdf", is_flag=True, help="Skip the PDF/A (text and JSON only).")
@click.option(
    "--page-timeout",
    type=click.FloatRange(min=1),
    default=None,
    help="Seconds one Tesseract call may take (default 180); a page over it fails, the run goes on.",
)
@click.option(
    "--max-pixels",
    type=click.IntRange(min=1),
    default=None,
    help="Refuse pages larger than this many pixels, the decompression-bomb guard (default 200000000).",
)
@click.option(
    "--mode",
    "text_mode",
    type=click.Choice(["skip", "redo", "force"]),
    default=None,
    help="PDFs that already have text: skip them (default), redo their OCR layer, or force OCR of everything.",
)
@click.option(
    "--password",
    envvar="DIGITIZE_PDF_PASSWORD",
    default=None,
    help="Password for encrypted PDFs (or set DIGITIZE_PDF_PASSWORD, which keeps it out of `ps`).",
)
@click.option(
    "--follow-symlinks", is_flag=True, default=None, help="Follow symlinks that lead out of the SCANS folder."
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Run config JSON (see README).",
)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:8786",
    default=None,
    help="Send pages to this Dask scheduler instead of local processes (needs the 'dask' extra).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress and no summary; failures only, on stderr.")
@click.option("--log-json", is_flag=True, help="Progress and failures as one JSON object per line on stderr.")
def run(
    scans: Path,
    out: Path,
    ground_truth: Path | None,
    lang: str | None,
    jobs: int | None,
    dpi: float | None,
    force: bool,
    no_pdf: bool,
    page_timeout: float | None,
    max_pixels: int | None,
    text_mode: str | None,
    password: str | None,
    follow_symlinks: bool | None,
    config_file: Path | None,
    scheduler: str | None,
    quiet: bool,
    log_json: bool,
) -> None:
    """Digitize every document in SCANS into OUT: PDF/A, text and JSON per document.

    OUT/digitize.sqlite records every document and page: rerunning skips what is done with the same
    input and settings, redoes what changed and retries what failed (see `digitize status OUT`).
    """
    cfg = RunConfig.from_file(config_file) if config_file else RunConfig()
    cfg = cfg.updated(
        ocr={"lang": lang, "page_timeout": page_timeout},
        input={
            "dpi_fallback": dpi,
            "max_pixels": max_pixels,
            "mode": text_mode,
            "password": password,
            "follow_symlinks": follow_symlinks or None,
        },
        pdf={"enabled": False} if no_pdf else {},
    )

    from .progress import Reporter, choose_mode, failures_table, summary_table

    # SIGTERM (a scheduler, `kill`) stops the run like Ctrl-C: workers stopped, nothing half-recorded
    signal.signal(signal.SIGTERM, _terminate)
    mode = choose_mode(quiet=quiet, log_json=log_json)
    with Reporter(mode) as reporter:
        result = api.run(
            scans,
            out,
            config=cfg,
            jobs=jobs,
            force=force,
            ground_truth=ground_truth,
            on_document=reporter.on_document,
            on_progress=reporter.on_progress,
            scheduler=scheduler,
        )
        reporter.finish(result.batch)
    if mode in ("quiet", "json"):
        sys.exit(result.exit_code)
    console.print(summary_table(result.batch))
    failures = failures_table(result.batch)
    if failures is not None:
        console.print(failures)
    docs = result.batch.documents
    done = sum(d.status == "done" for d in docs)
    skipped = sum(d.status == "skipped" and not d.error for d in docs)
    left_alone = sum(d.status == "skipped" and bool(d.error) for d in docs)  # PDFs with text, --mode skip
    failed = len(result.batch.failed)
    console.print(
        f"{done} documents done, {skipped} already done, {failed} failed, {left_alone} skipped for their text "
        f"in {result.batch.seconds:.1f} s; outputs in {out}/<document>/ and {result.run_json}",
        markup=False,
    )
    if result.accuracy is not None:
        console.print(_accuracy_table(result.accuracy))
        console.print(f"accuracy written to {result.accuracy_json}", markup=False)
    if result.report is not None:
        console.print(f"report written to {result.report.html}", markup=False)
    sys.exit(result.exit_code)


@main.command("eval")
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--ground-truth",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Ground-truth folder: <doc>/<page>.gt.txt, <doc>.gt.txt or <doc>/<page>.xml (PAGE).",
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for report.json, report.csv and report.html (default: OUT/report).",
)
@click.option(
    "--profile",
    type=click.Choice(["exact", "default", "lenient"]),
    default="default",
    show_default=True,
    help="Text normalisation before comparing (see README, Evaluation); exact figures are always given beside.",
)
def eval_command(out: Path, ground_truth: Path, report_dir: Path | None, profile: str) -> None:
    """Measure a run's outputs in OUT against ground truth and write an accuracy report."""
    result = api.evaluate(out, ground_truth, report=report_dir or api.default_report_dir(out), profile=profile)
    summary = result.summary
    for item in summary.unmatched:
        click.echo(f"digitize: not evaluated: {item}", err=True)
    if not summary.documents:
        click.echo("digitize: error: no output document has ground truth", err=True)
        sys.exit(int(ExitCode.EVALUATION_FAILED))
    console.print(_accuracy_table(summary))
    if result.report is not None:
        console.print(f"report written to {result.report.html}", markup=False)


@main.command("layout-eval")
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--ground-truth",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of <doc>/<page>.xml PAGE XML with the true regions.",
)
@click.option("--iou", type=click.FloatRange(0.05, 1.0), default=0.5, show_default=True, help="Overlap that counts.")
def layout_eval(out: Path, ground_truth: Path, iou: float) -> None:
    """Per region type precision, recall and F1 of OUT's regions against PAGE XML, and a confusion of types."""
    report = api.evaluate_layout(out, ground_truth, iou=iou)
    for item in report.unmatched:
        click.echo(f"digitize: not evaluated: {item}", err=True)
    table = Table(title=f"Layout against ground truth (IoU >= {iou:g}, {report.total.pages} pages)")
    for col in ("type", "truth", "found", "P", "R", "F1"):
        table.add_column(col, justify="left" if col == "type" else "right")
    for row in report.total.to_dict()["per_type"] + [report.total.to_dict()["overall"]]:
        table.add_row(
            row["type"],
            str(row["support"]),
            str(row["tp"] + row["fp"]),
            f"{row['precision']:.3f}",
            f"{row['recall']:.3f}",
            f"{row['f1']:.3f}",
        )
    console.print(table)
    wrong = [c for c in report.total.to_dict()["confusion"] if c["truth"] != c["predicted"]]
    if wrong:
        console.print("confusions (truth -> found):", markup=False)
        for c in wrong:
            console.print(f"  {c['truth']} -> {c['predicted']}: {c['count']}", markup=False)
    console.print(f"written to {out / 'layout-report.json'}", markup=False)


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@main.command()
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the account as JSON.")
def status(out: Path, as_json: bool) -> None:
    """What the ledger OUT/digitize.sqlite says: documents done, failed (with reasons) and pending."""
    import json

    from .ledger import Status

    account = api.status(out)
    if as_json:
        click.echo(json.dumps(account.to_dict(), ensure_ascii=False, indent=2))
        sys.exit(0)
    counts = {s: account.by_status(s) for s in Status}
    table = Table(title=f"digitize status {out}")
    table.add_column("")
    table.add_column("documents", justify="right")
    table.add_column("pages", justify="right")
    for s in Status:
        table.add_row(str(s), str(len(counts[s])), str(account.pages.get(s.value, 0)))
    console.print(table)
    if counts[Status.FAILED]:
        failed = Table(title="failed")
        failed.add_column("document")
        failed.add_column("stage")
        failed.add_column("reason", overflow="fold")
        for d in counts[Status.FAILED]:
            failed.add_row(d.name, d.stage or "", d.error or "")
        console.print(failed)
    if counts[Status.PENDING]:
        names = [d.name for d in counts[Status.PENDING]]
        shown = ", ".join(names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
        console.print(f"pending: {shown}", markup=False)
    last = account.last_run
    if last is not None:
        state = "finished" if last["finished"] else "did not finish (killed, or still running)"
        console.print(f"last run: started {last['started']}, {state}", markup=False)


@main.command()
@click.option("--lang", default="rus", help="Languages to check (default: rus).")
def doctor(lang: str) -> None:
    """Check Tesseract, its language data, Ghostscript, qpdf and OCRmyPDF; print versions."""
    from .dependencies import doctor as run_doctor

    checks = run_doctor(lang)
    for c in checks:
        mark = "ok  " if c.ok else "MISSING"
        console.print(f"{mark} {c.name}: {c.version or c.detail}", markup=False)
    sys.exit(0 if all(c.ok for c in checks) else int(ExitCode.MISSING_DEPENDENCY))


@main.command()
@click.argument("ground_truth", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder for the page images."
)
@click.option(
    "--gt-out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for PAGE XML and .gt.txt (default: --out).",
)
@click.option(
    "--preset", "preset_name", type=click.Choice(["clean", "typical", "hard"]), default="typical", show_default=True
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed; the same seed gives the same bytes.")
@click.option(
    "--knob", "knob_values", multiple=True, metavar="NAME=VALUE", help="Override one degradation knob (repeatable)."
)
@click.option(
    "--corpus", type=click.IntRange(min=1), default=None, help="Make N pages of varied letters, telegrams and memos."
)
@click.option(
    "--jobs", type=click.IntRange(min=1), default=None, help="Pages rendered in parallel (default: all cores)."
)
@click.option("--dpi", type=click.FloatRange(min=50, max=600), default=300.0, show_default=True)
@click.option(
    "--contact-sheet",
    "sheet",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the pages side by side as one PNG.",
)
def synth(
    ground_truth: Path | None,
    out: Path,
    gt_out: Path | None,
    preset_name: str,
    seed: int,
    knob_values: tuple[str, ...],
    corpus: int | None,
    jobs: int | None,
    dpi: float,
    sheet: Path | None,
) -> None:
    """Render realistic facsimile scans with exact ground truth (PAGE XML and .gt.txt per page).

    Either from GROUND_TRUTH (a folder with layout.json and <page>.gt.txt) or, with --corpus N, from templates.
    """
    from . import synth as synthmod
    from .errors import UsageError

    if (ground_truth is None) == (corpus is None):
        raise UsageError("give either a GROUND_TRUTH folder or --corpus N")
    knobs = synthmod.parse_knobs(synthmod.preset(preset_name), knob_values)
    if ground_truth is not None:
        images = synthmod.synthesize_document(
            ground_truth, out, knobs, seed=seed, gt_out=gt_out, dpi=dpi, preset_name=preset_name
        )
    else:
        images = synthmod.synthesize_corpus(
            corpus or 0, out, knobs, seed=seed, gt_out=gt_out, dpi=dpi, jobs=jobs, preset_name=preset_name
        )
    console.print(f"{len(images)} pages written to {out}; ground truth in {gt_out or out}", markup=False)
    if sheet is not None:
        synthmod.contact_sheet(images, sheet)
        console.print(f"contact sheet: {sheet}", markup=False)


if __name__ == "__main__":
    main()
