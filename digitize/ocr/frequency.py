"""How common a Russian word is: the tie-breaker of dictionary repair.

When a misread word is one or two confusable letters away from several dictionary words, the commonest
one is most likely the word typed. The table ships as package data (``data/rus_word_frequency.tsv.gz``,
1.3 MB): Russian words of letters only that OpenCorpora's dictionary knows, with their frequency on the
Zipf scale (log10 of occurrences per billion words) times 100, from ``wordfreq`` 3.1.1 (Robyn Speer;
data under CC BY-SA 4.0, see ``data/rus_word_frequency.NOTICE``). Words rarer than Zipf 2 (once in
10 million words) are left out: repair never chooses them. Nothing is read from the network at run time.
Rebuild with ``wordfreq`` installed (``.venv/bin/pip install wordfreq==3.1.1``; not a dependency)::

    .venv/bin/python -c "from digitize.ocr.frequency import rebuild; rebuild()"
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources
from pathlib import Path

#: rarer words are not in the table
MIN_ZIPF = 2.0


def path() -> Path:
    return Path(str(resources.files(__package__).joinpath("data/rus_word_frequency.tsv.gz")))


@lru_cache(maxsize=1)
def _table() -> dict[str, float]:
    out: dict[str, float] = {}
    with gzip.open(path(), "rt", encoding="utf-8") as f:
        for row in f:
            word, _, zipf = row.rstrip("\n").partition("\t")
            out[word] = int(zipf) / 100.0
    return out


def zipf(word: str) -> float:
    """Zipf frequency of a lowercase word; 0 for a word rarer than :data:`MIN_ZIPF` or unknown."""
    return _table().get(word, 0.0)


def rebuild(target: Path | None = None) -> int:
    """Write the table from ``wordfreq`` (a development dependency); returns the number of words."""
    import wordfreq  # type: ignore[import-not-found,unused-ignore]

    from .lexicon import known

    rows = []
    for word in wordfreq.top_n_list("ru", 400_000):
        z = wordfreq.zipf_frequency(word, "ru")
        if z < MIN_ZIPF:
            break
        if word.isalpha() and all("а" <= c <= "я" or c == "ё" for c in word) and known(word):
            rows.append(f"{word}\t{round(z * 100)}")
    data = ("\n".join(rows) + "\n").encode("utf-8")
    target = target or path()
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    tmp.replace(target)
    return len(rows)
