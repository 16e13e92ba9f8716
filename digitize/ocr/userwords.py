"""The user-words list handed to Tesseract: period names and terms of Soviet official correspondence.

The list ships as package data (``data/rus_archival.user-words``). It was built from the project's ground
truth (``ground_truth/*/*.gt.txt``) and from the vocabulary of the facsimile generator's corpus templates
(``digitize/synth/corpus.py``: organisations, titles, sentences, months), never from held-back pages.
Rebuild it with::

    .venv/bin/python -c "from digitize.ocr.userwords import rebuild; rebuild()"

Measured effect with the LSTM engine is small (Tesseract 5 weighs its dictionaries lightly): see README,
"Accuracy".
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

_WORD = re.compile(r"[А-Яа-яЁё][А-Яа-яЁё-]*[А-Яа-яЁё]|[А-Яа-яЁё]")
_REPO = Path(__file__).resolve().parents[2]


def path() -> Path:
    """The shipped user-words file."""
    return Path(str(resources.files(__package__).joinpath("data/rus_archival.user-words")))


def words_from_texts(texts: Iterable[str]) -> list[str]:
    """Russian words of two letters or more, each once, sorted."""
    out: set[str] = set()
    for text in texts:
        out.update(w for w in _WORD.findall(text) if len(w) >= 2)
    return sorted(out)


def _corpus_strings(source: Path) -> list[str]:
    """String constants of the generator's corpus module, read without importing it."""
    tree = ast.parse(source.read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def rebuild(repo: Path = _REPO, out: Path | None = None) -> Path:
    """Write the user-words file from the ground truth and the corpus templates of ``repo``."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((repo / "ground_truth").glob("*/*.gt.txt"))]
    corpus = repo / "digitize" / "synth" / "corpus.py"
    if corpus.exists():
        texts.extend(_corpus_strings(corpus))
    target = out or path()
    target.write_text("\n".join(words_from_texts(texts)) + "\n", encoding="utf-8")
    return target
