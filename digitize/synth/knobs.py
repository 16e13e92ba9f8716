"""Named degradation knobs and the presets ``clean``, ``typical`` and ``hard``.

Every knob is a number a person can reason about (degrees, pixels, a 0..1 strength, a probability), so a
benchmark can turn one up while holding the rest. ``Knobs`` is frozen and picklable: it crosses to worker
processes for ``--corpus``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from ..errors import UsageError


@dataclass(frozen=True)
class Knobs:
    """How worn the paper, the typewriter and the scanner are. Ranges are drawn from per page."""

    # typewriter
    char_jitter_px: float = 1.3  # sideways play of each type bar
    baseline_wobble_px: float = 2.0  # up/down play of each character
    pressure_var: float = 0.35  # 0..1: how unevenly keys are struck (lighter characters)
    ribbon_fade: float = 0.25  # 0..1: low-frequency fading of the ribbon across the page
    ink_spread_px: float = 1.1  # blur applied to type before thresholding: thicker, softer strokes
    filled_glyph_prob: float = 0.02  # counters of о, е, а filled with ink (dirty type)
    broken_glyph_prob: float = 0.05  # parts of a glyph missing (worn type, paper fibre)
    carbon_copy: bool = False  # the look of a carbon copy: blurred, bluish-grey, weaker

    # handwriting and stamps
    stamp_prob: float = 1.0  # chance that each optional stamp of the layout is stamped
    stamp_over_text: bool = True  # stamps may sit over typed text
    stamp_ink_gaps: float = 0.3  # 0..1: uneven inking of rubber stamps

    # paper
    yellowing: float = 0.35  # 0..1
    texture: float = 0.3  # 0..1: paper grain and fibre
    stains: int = 1  # number of water/foxing stains
    folds: int = 1  # fold lines across the page
    bleed_through: float = 0.06  # 0..1: strength of the mirrored text from the back

    # scanner
    skew_deg: float = 0.8  # the page is rotated by a random angle in [-skew_deg, skew_deg]
    warp_px: float = 3.0  # amplitude of smooth non-linear warp
    blur_sigma: float = 1.0  # optical blur, pixels
    noise_sigma: float = 2.5  # sensor noise, grey levels
    dark_border_px: int = 30  # dark scanner-lid strip on one edge (0 for none)
    jpeg_quality: int = 75  # quality of the saved JPEG

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def updated(self, **changes: Any) -> Knobs:
        """A copy with some knobs changed; unknown names are a :class:`UsageError`."""
        names = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise UsageError(f"unknown synth knob(s): {', '.join(unknown)}; known: {', '.join(sorted(names))}")
        return replace(self, **changes)


PRESETS: dict[str, Knobs] = {
    "clean": Knobs(
        char_jitter_px=0.3,
        baseline_wobble_px=0.4,
        pressure_var=0.1,
        ribbon_fade=0.05,
        ink_spread_px=0.6,
        filled_glyph_prob=0.0,
        broken_glyph_prob=0.0,
        stamp_over_text=False,
        stamp_ink_gaps=0.1,
        yellowing=0.1,
        texture=0.05,
        stains=0,
        folds=0,
        bleed_through=0.0,
        skew_deg=0.0,
        warp_px=0.0,
        blur_sigma=0.3,
        noise_sigma=1.0,
        dark_border_px=0,
        jpeg_quality=92,
    ),
    "typical": Knobs(),
    # a faded carbon copy from a worn machine, scanned badly
    "hard": Knobs(
        char_jitter_px=2.2,
        baseline_wobble_px=3.5,
        pressure_var=0.6,
        ribbon_fade=0.6,
        ink_spread_px=1.5,
        filled_glyph_prob=0.08,
        broken_glyph_prob=0.12,
        carbon_copy=True,
        stamp_over_text=True,
        stamp_ink_gaps=0.45,
        yellowing=0.6,
        texture=0.6,
        stains=3,
        folds=2,
        bleed_through=0.15,
        skew_deg=2.5,
        warp_px=7.0,
        blur_sigma=1.8,
        noise_sigma=9.0,
        dark_border_px=70,
        jpeg_quality=40,
    ),
}


def preset(name: str) -> Knobs:
    try:
        return PRESETS[name]
    except KeyError:
        raise UsageError(f"unknown synth preset {name!r}; choose one of {', '.join(PRESETS)}") from None


def parse_knobs(base: Knobs, assignments: tuple[str, ...] | list[str]) -> Knobs:
    """Apply ``NAME=VALUE`` overrides (from the command line) to ``base``, converting to each knob's type."""
    types = {f.name: f.type for f in fields(base)}
    changes: dict[str, Any] = {}
    for item in assignments:
        name, sep, raw = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in types:
            raise UsageError(f"bad --knob {item!r}: expected NAME=VALUE with NAME one of {', '.join(sorted(types))}")
        kind = str(types[name])
        try:
            if kind == "bool":
                value: Any = raw.strip().lower() in ("1", "true", "yes", "on")
            elif kind == "int":
                value = int(raw)
            else:
                value = float(raw)
        except ValueError:
            raise UsageError(f"bad --knob {item!r}: {raw!r} is not a {kind}") from None
        changes[name] = value
    return base.updated(**changes)
