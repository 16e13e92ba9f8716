"""The report's figures, drawn with matplotlib's object API (no pyplot: no global state, no display)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .metrics import EditCounts

_EMPTY = "∅"  # stands for "nothing" in the confusion heat-map: a deleted or inserted character


def _save(fig: Figure, path: Path) -> Path:
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    return path


def cer_per_page(labels: list[str], rates: list[float], batch_rate: float, path: Path) -> Path:
    """Bar per page, with the batch CER (weighted by characters) as a line."""
    width = min(16.0, max(5.0, 0.18 * len(labels) + 2))
    fig = Figure(figsize=(width, 3.2))
    ax = fig.add_subplot()
    ax.bar(range(len(rates)), [r * 100 for r in rates], color="#4c72b0")
    ax.axhline(batch_rate * 100, color="#c44e52", linestyle="--", label=f"all pages: {batch_rate:.2%}")
    ax.set_ylabel("CER, %")
    ax.set_title("Character error rate per page")
    if len(labels) <= 40:
        ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=7)
    else:
        ax.set_xlabel(f"{len(labels)} pages, in report order")
    ax.legend(loc="upper right", fontsize=8)
    return _save(fig, path)


def cer_by_type(counts: dict[str, EditCounts], path: Path) -> Path:
    """Bar per region type, annotated with the characters each was measured on."""
    fig = Figure(figsize=(6.5, 3.2))
    ax = fig.add_subplot()
    names = list(counts)
    bars = ax.bar(names, [c.rate * 100 for c in counts.values()], color="#55a868")
    for bar, c in zip(bars, counts.values(), strict=True):
        ax.annotate(f"{c.reference_length} ch", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=7)  # fmt: skip
    ax.set_ylabel("CER, %")
    ax.set_title("Character error rate per region type")
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    return _save(fig, path)


def confusion_heatmap(confusions: Counter[tuple[str, str]], path: Path, top: int = 14) -> Path:
    """Counts of (ground truth, OCR) character pairs among the characters most often involved."""
    involved: Counter[str] = Counter()
    for (a, b), n in confusions.items():
        involved[a or _EMPTY] += n
        involved[b or _EMPTY] += n
    chars = [c for c, _ in involved.most_common(top)]
    index = {c: i for i, c in enumerate(chars)}
    grid = [[0] * len(chars) for _ in chars]
    for (a, b), n in confusions.items():
        a, b = a or _EMPTY, b or _EMPTY
        if a in index and b in index:
            grid[index[a]][index[b]] += n
    fig = Figure(figsize=(6, 5.2))
    ax = fig.add_subplot()
    image = ax.imshow(grid, cmap="Reds")
    shown = ["␣" if c == " " else repr(c)[1:-1] if c.isspace() else c for c in chars]
    ax.set_xticks(range(len(chars)), shown)
    ax.set_yticks(range(len(chars)), shown)
    ax.set_xlabel("read by OCR")
    ax.set_ylabel("ground truth")
    ax.set_title(
        "Character substitutions" if all(a and b for a, b in confusions) else "Character confusions (∅ = nothing)"
    )
    peak = max((n for row in grid for n in row), default=0)
    for i, row in enumerate(grid):
        for j, n in enumerate(row):
            if n:  # white on the dark cells, so every count stays legible
                ax.text(j, i, str(n), ha="center", va="center", fontsize=6, color="white" if n > peak / 2 else "black")
    fig.colorbar(image, ax=ax, shrink=0.8)
    return _save(fig, path)
