"""A corpus of varied pages of the same kind as the source document: letters, telegrams and memos.

Text comes from templates of Soviet official correspondence filled with names, places and words from Faker's
``ru_RU`` locale (PyPI ``faker``, MIT licence). Every page is built from ``(seed, index)`` alone, so pages can
be rendered in any order, in parallel, and come out the same.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from faker import Faker

from .. import fileio
from ..models import RegionType
from .ink import pt_to_px, typewriter_pitch, wrap
from .knobs import Knobs
from .layout import PageSpec, RegionSpec
from .render import render_page

_MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
_ROMAN = "I II III IV V VI VII VIII IX X XI XII".split()
_ORGS = [
    "ЦК КП(б) АЗЕРБАЙДЖАНА",
    "СОВЕТ МИНИСТРОВ АЗЕРБ. ССР",
    "НАРОДНЫЙ КОМИССАРИАТ ИНОСТРАННЫХ ДЕЛ",
    "ОБКОМ ВКП(б)",
    "ГОРКОМ ВКП(б)",
    "МИНИСТЕРСТВО ГОСБЕЗОПАСНОСТИ",
    "ОБЛИСПОЛКОМ",
    "ЦК ВКП(б) ОСОБЫЙ СЕКТОР",
]
_TITLES = [
    "Товарищу",
    "Секретарю ЦК ВКП(б) товарищу",
    "Председателю Совета Министров товарищу",
    "Народному комиссару товарищу",
]
_SENTENCES = [
    "Сообщаем, что в районе {city} продолжается сосредоточение {thing}.",
    "По данным, полученным от товарища {name}, положение в {city} остается напряженным.",
    "Просим Ваших указаний о порядке {action}.",
    "В течение {n} суток {thing} не имеют продвижения.",
    "Товарищ {name} доложил, что {thing} прибыли в {city} {day} {month}.",
    "Считаем необходимым {action} в кратчайший срок.",
    "Направляем Вам справку о {thing} по состоянию на {day} {month} {year} года.",
    "Одновременно с этим просим разрешить {action}.",
    "Со своей стороны мы приняли меры к {action}.",
    "Всего по району учтено {n} {thing}.",
]
_THINGS = [
    "войсковых частей",
    "отрядов народного ополчения",
    "посевных площадей",
    "грузов для нефтепромыслов",
    "рабочих и служащих",
    "вагонов с зерном",
    "переселенцев",
    "материалов следствия",
]
_ACTIONS = [
    "ускорения переговоров",
    "отправки продовольствия",
    "проверки исполнения решений",
    "восстановления железнодорожного сообщения",
    "созыва пленума",
    "прекращения военных действий",
    "выдачи пропусков",
]


def _date(f: Faker, rng: np.random.Generator) -> tuple[int, int, int]:
    return int(rng.integers(1, 29)), int(rng.integers(1, 13)), int(rng.integers(1941, 1957))


def _clock(rng: np.random.Generator) -> str:
    return f"{int(rng.integers(0, 24))} ч. {int(rng.integers(0, 60)):02d} м."


def _pick(rng: np.random.Generator, options: list[str]) -> str:
    return options[int(rng.integers(len(options)))]


def _signatory(f: Faker) -> str:
    return f"{f.first_name_male()[0]}.{f.middle_name_male()[0]}.{f.last_name_male().upper()}"


def _sentence(f: Faker, rng: np.random.Generator) -> str:
    if rng.random() < 0.35:
        return str(f.sentence(nb_words=int(rng.integers(6, 13))))
    tpl = _SENTENCES[int(rng.integers(len(_SENTENCES)))]
    d, m, y = _date(f, rng)
    return tpl.format(
        city=f.city_name(),
        name=f.last_name_male(),
        thing=_THINGS[int(rng.integers(len(_THINGS)))],
        action=_ACTIONS[int(rng.integers(len(_ACTIONS)))],
        n=int(rng.integers(2, 40)),
        day=d,
        month=_MONTHS[m - 1],
        year=y,
    )


def _paragraph(f: Faker, rng: np.random.Generator, caps: bool = False) -> str:
    text = " ".join(_sentence(f, rng) for _ in range(int(rng.integers(2, 5))))
    if caps:  # telegraph style: capitals, punctuation spelled out
        text = text.upper().replace(",", " ЗПТ").replace(".", " ТЧК")
    return text


def _lines_needed(text: str, width_mm: float, size_pt: float, indent: int) -> int:
    """Typed lines the text takes, wrapped exactly as the renderer wraps it (at 300 dpi)."""
    size_px = pt_to_px(size_pt, 300)
    pitch = typewriter_pitch(size_px)
    return len(wrap(text, int(width_mm * 300 / 25.4 // pitch), indent))


def corpus_page(index: int, seed: int) -> PageSpec:
    """The layout and text of corpus page ``index`` (0-based): a letter, a telegram or a memo."""
    rng = np.random.default_rng([seed, index, 77])
    f = Faker("ru_RU")
    f.seed_instance(int(rng.integers(0, 2**31)))
    kind = ("letter", "telegram", "memo")[int(rng.integers(3))]
    regs: list[RegionSpec] = []
    ink = lambda: ("blue", "violet", "red", "pencil", "black")[int(rng.integers(5))]  # noqa: E731
    size = float(rng.choice([11.0, 12.0, 12.0, 13.0]))
    spacing = float(rng.choice([1.0, 1.5, 1.5, 2.0]))
    left = float(rng.uniform(18, 30))
    width = 190 - left - float(rng.uniform(0, 10))
    line_mm = pt_to_px(size, 300) * spacing * 25.4 / 300
    d, m, y = _date(f, rng)

    if rng.random() < 0.8:
        regs.append(
            RegionSpec(
                id="mark_reg",
                type=RegionType.MARGINALIA,
                style="hand",
                text=f"{int(rng.integers(10, 999))}{'.' if rng.random() < 0.5 else ''}",
                x=float(rng.uniform(14, 40)),
                y=float(rng.uniform(8, 16)),
                size=float(rng.uniform(14, 19)),
                ink=ink(),
                angle=float(rng.normal(0, 4)),
            )
        )
    if rng.random() < 0.7:
        ref_x, ref_y, ref_size = float(rng.uniform(110, 135)), float(rng.uniform(14, 24)), float(rng.uniform(12, 15))
        stamped = rng.random() < 0.5  # a rubber-stamped frame the archivist wrote the reference into
        regs.append(
            RegionSpec(
                id="archive_ref",
                type=RegionType.ARCHIVE_REFERENCE,
                style="hand",
                text=f"Ф.{int(rng.integers(1, 99))}, оп.{int(rng.integers(1, 300))}\nд.{int(rng.integers(1, 900))}",
                x=ref_x,
                y=ref_y,
                size=ref_size,
                ink=("violet", "blue", "black")[int(rng.integers(3))],
                angle=float(rng.normal(0, 2)),
                box=(ref_x - 4, ref_y - 4, 50, ref_size * 1.3) if stamped else None,
                box_ink=("violet", "stamp_blue")[int(rng.integers(2))] if stamped else "black",
            )
        )
    y_cursor = float(rng.uniform(42, 55))
    if kind == "telegram":
        regs.append(
            RegionSpec(
                id="tg_head",
                type=RegionType.TRANSMISSION_BLOCK,
                style="typewriter",
                text=f"Пер. {_clock(rng)} {d}/{_ROMAN[m - 1]} {y} г.\nПринял {f.last_name_female()}",
                x=left + 4,
                y=y_cursor + 4,
                size=10,
                line_spacing=1.35,
                box=(left, y_cursor, width, 20),
            )
        )
        y_cursor += 28
    addressees = [f"{_TITLES[int(rng.integers(len(_TITLES)))]} {f.last_name_male().upper()}"]
    if rng.random() < 0.5:
        addressees.append(f"Товарищу {f.last_name_male().upper()}")
    ax = float(rng.uniform(105, 125))
    for k, a in enumerate(addressees):
        a_width = 195 - ax
        regs.append(
            RegionSpec(
                id=f"addressee_{k + 1}",
                type=RegionType.ADDRESSEE,
                style="typewriter",
                text=a,
                x=ax,
                y=y_cursor if k == 0 else None,
                width=a_width,
                size=size,
                line_spacing=1.2,
                gap=0,
            )
        )
        y_cursor += _lines_needed(a, a_width, size, 0) * line_mm / spacing * 1.2
    if rng.random() < 0.6:
        regs.append(
            RegionSpec(
                id="resolution",
                type=RegionType.MARGINALIA,
                style="hand",
                text=f"{f.last_name_male()}у\nпрошу доложить"
                if rng.random() < 0.5
                else f"{f.first_name_male()[0]}. {f.last_name_male()}",
                x=float(rng.uniform(20, 60)),
                y=y_cursor - float(rng.uniform(5, 15)),
                size=float(rng.uniform(13, 17)),
                ink=ink(),
                angle=float(rng.uniform(-3, 12)),
            )
        )
    y_cursor += 12
    caps = kind == "telegram"
    # body paragraphs, as many as fit above the signature block
    foot_block = kind == "telegram" or rng.random() < 0.3
    # room below the body: signature (2 blank lines + 1) and date (1.5 + 1) at 1.5 spacing, then the foot
    below = 5.5 * pt_to_px(size, 300) * 1.5 * 25.4 / 300 + 6
    bottom = (250.0 if foot_block else 285.0) - below
    used = 0.0
    paras: list[str] = []
    if kind == "memo":
        regs.append(
            RegionSpec(
                id="title",
                type=RegionType.BODY,
                style="typewriter",
                text=str(rng.choice(["СПРАВКА", "ДОКЛАДНАЯ ЗАПИСКА", "СООБЩЕНИЕ"])),
                x=left + width / 2 - 20,
                y=y_cursor,
                size=size,
            )
        )
        y_cursor += 2 * line_mm
    for _ in range(int(rng.integers(2, 6))):
        p = _paragraph(f, rng, caps)
        need = _lines_needed(p, width, size, 8) * line_mm
        if y_cursor + used + need > bottom:
            break
        paras.append(p)
        used += need
    if not paras:
        paras.append(_sentence(f, rng))
    for k, p in enumerate(paras):
        regs.append(
            RegionSpec(
                id=f"body_{k + 1}",
                type=RegionType.BODY,
                style="typewriter",
                text=p,
                x=left,
                y=y_cursor if k == 0 else None,
                width=width,
                size=size,
                line_spacing=spacing,
                indent=int(rng.choice([0, 5, 6, 8])),
                gap=0,
            )
        )
    sig = _signatory(f)
    sig_x = float(rng.uniform(120, 140))
    regs.append(
        RegionSpec(id="signature", type=RegionType.SIGNATURE, style="typewriter", text=sig, x=sig_x, gap=2, size=size)
    )
    regs.append(
        RegionSpec(
            id="scrawl",
            type=RegionType.SIGNATURE,
            style="scrawl",
            anchor="signature",
            dx=-float(rng.uniform(42, 55)),
            dy=-float(rng.uniform(3, 8)),
            width=float(rng.uniform(30, 45)),
            height=float(rng.uniform(10, 16)),
            ink=("blue", "black", "violet")[int(rng.integers(3))],
        )
    )
    date_text = f'"{d}" {_MONTHS[m - 1]} {y} года' if rng.random() < 0.6 else f"{d}.{_ROMAN[m - 1]}.{str(y)[2:]} г."
    regs.append(
        RegionSpec(id="date", type=RegionType.DATE_LINE, style="typewriter", text=date_text, x=left, gap=1.5, size=size)
    )
    if rng.random() < 0.75:
        round_stamp = rng.random() < 0.6
        regs.append(
            RegionSpec(
                id="stamp",
                type=RegionType.STAMP,
                style="stamp_round" if round_stamp else "stamp_rect",
                anchor="signature",
                dx=-float(rng.uniform(70, 110)) if round_stamp else -float(rng.uniform(60, 110)),
                dy=float(rng.uniform(-25, 10)),
                width=float(rng.uniform(34, 42)) if round_stamp else float(rng.uniform(50, 65)),
                height=None if round_stamp else float(rng.uniform(20, 26)),
                ink=("violet", "stamp_blue")[int(rng.integers(2))],
                angle=float(rng.uniform(-25, 25)) if round_stamp else float(rng.normal(0, 3)),
                stamp_text=(_ORGS[int(rng.integers(len(_ORGS)))] + " * ")
                if round_stamp
                else f"{_pick(rng, _ORGS)}\nВх. № {int(rng.integers(1, 999))}\n{d} {_ROMAN[m - 1]} {y}",
                stamp_center=str(rng.choice(["ОБЩИЙ\nОТДЕЛ", "ДЛЯ\nПАКЕТОВ", "*", "КАНЦЕЛЯРИЯ"]))
                if round_stamp
                else "",
                over_text=True,
            )
        )
    if foot_block:
        regs.append(
            RegionSpec(
                id="transmission",
                type=RegionType.TRANSMISSION_BLOCK,
                style="typewriter",
                text=f"Проз. {_clock(rng)} {d}/{_ROMAN[m - 1]} {y} г.\n{int(rng.integers(1, 9))} ч. ОПС",
                x=left + 4,
                y=258,
                size=10,
                line_spacing=1.35,
                box=(left, 253, width, 22),
            )
        )
    regs.append(
        RegionSpec(
            id="folio",
            type=RegionType.FOLIO_NUMBER,
            style="hand",
            text=str(int(rng.integers(1, 400))),
            x=float(rng.uniform(180, 190)),
            y=float(rng.uniform(4, 9)),
            size=float(rng.uniform(15, 19)),
            ink=("pencil", "black", "blue")[int(rng.integers(3))],
        )
    )
    return PageSpec(number=index + 1, stem=f"{index + 1:04d}", regions=tuple(regs))


def _render_one(args: tuple[int, int, Knobs, Path, Path, float, str]) -> Path:
    from .document import page_xml

    index, seed, knobs, out, gt_out, dpi, preset_name = args
    spec = corpus_page(index, seed)
    # each page its own seed stream, so the corpus is the same whatever the number of workers
    rp = render_page(
        spec,
        [],
        knobs,
        seed=seed * 100_003 + index,
        dpi=dpi,
        step_params={"preset": preset_name, "corpus_index": index},
    )
    img = out / rp.page.source
    fileio.write_bytes(img, rp.jpeg(knobs.jpeg_quality))
    fileio.write_bytes(gt_out / f"{spec.stem}.xml", page_xml(rp))
    fileio.write_text(gt_out / f"{spec.stem}.gt.txt", rp.gt_text)
    return img


def synthesize_corpus(
    count: int,
    out: Path,
    knobs: Knobs,
    *,
    seed: int,
    gt_out: Path | None = None,
    dpi: float = 300.0,
    jobs: int | None = None,
    preset_name: str = "",
) -> list[Path]:
    """Render ``count`` corpus pages to ``out`` (``0001.jpg`` ...) with PAGE XML and ``.gt.txt`` in ``gt_out``."""
    target = gt_out or out
    tasks = [(i, seed, knobs, out, target, dpi, preset_name) for i in range(count)]
    workers = max(1, min(jobs or os.cpu_count() or 1, count))
    if workers == 1:
        return [_render_one(t) for t in tasks]
    # spawn, not fork: OpenCV's thread pool does not survive a fork reliably
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        return list(pool.map(_render_one, tasks, chunksize=2))
