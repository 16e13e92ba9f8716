"""Known-answer tests for every metric, and CER against jiwer's independent implementation."""

from __future__ import annotations

import jiwer
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digitize.evaluate.accuracy import evaluate_page
from digitize.evaluate.fca import FlexCounts, flexible_character_accuracy, flexible_counts
from digitize.evaluate.metrics import (
    EditCounts,
    bag_of_words,
    bow_f1,
    cer,
    character_alignment,
    character_errors,
    confusions,
    graphemes,
    wer,
    word_errors,
    wrong_words,
)
from digitize.evaluate.normalize import default, display, exact, get_profile, lenient, lines


@pytest.mark.parametrize(
    ("ref", "hyp", "s", "i", "d", "rate"),
    [
        ("абв", "абв", 0, 0, 0, 0.0),
        ("абв", "абг", 1, 0, 0, 1 / 3),
        ("абв", "аб", 0, 0, 1, 1 / 3),
        ("абв", "абвг", 0, 1, 0, 1 / 3),
        ("кот", "", 0, 0, 3, 1.0),
        ("ab", "xyzw", 2, 2, 0, 2.0),  # insertions can push CER above 1
    ],
)
def test_cer_known_answers(ref: str, hyp: str, s: int, i: int, d: int, rate: float) -> None:
    c = character_errors(ref, hyp)
    assert (c.substitutions, c.insertions, c.deletions) == (s, i, d)
    assert cer(ref, hyp) == (pytest.approx(rate), len(ref))


def test_empty_ground_truth_is_zero_when_output_empty_and_one_otherwise() -> None:
    assert cer("", "") == (0.0, 0)
    assert cer("", "шум") == (1.0, 0)
    assert wer("", "") == (0.0, 0)
    assert wer("", "шум") == (1.0, 0)
    assert flexible_character_accuracy("", "") == (1.0, 0)
    assert flexible_character_accuracy("", "x") == (0.0, 0)
    empty = bag_of_words("", "")
    assert (empty.precision, empty.recall) == (1.0, 1.0)


def test_weights_aggregate_by_characters_not_by_page_average() -> None:
    short, long = character_errors("аб", "ав"), character_errors("а" * 98, "а" * 98)
    total = short + long
    assert total.rate == pytest.approx(1 / 100)  # the mean of the two page rates would say 25 %
    assert total == EditCounts(1, 0, 0, 100)


def test_graphemes_keep_combining_marks_with_their_letter() -> None:
    # "й" written as и + combining breve is one character, as is its precomposed form
    assert graphemes("и\u0306х") == ["й", "х"]
    assert len(graphemes("e\u0301\u0327")) == 1  # NFC reorders the marks; still one character
    assert cer("й", "и\u0306") == (0.0, 1)
    assert cer("e\u0301", "e") == (1.0, 1)


def test_wer_known_answers() -> None:
    c = word_errors("товарищу Сталину лично", "товарищу Сталипу")
    assert (c.substitutions, c.insertions, c.deletions, c.reference_length) == (1, 0, 1, 3)
    assert wer("а б в г", "а б в г д") == (0.25, 4)


def test_bag_of_words_ignores_order_and_punctuation() -> None:
    b = bag_of_words("Товарищу СТАЛИНУ, товарищу МОЛОТОВУ.", "МОЛОТОВУ товарищу СТАЛИНУ")
    assert (b.found, b.reference_words, b.hypothesis_words) == (3, 4, 3)
    assert b.precision == 1.0
    assert b.recall == 0.75
    assert b.f1 == pytest.approx(2 * 0.75 / 1.75)
    assert bow_f1("а б", "в г") == (0.0, 2)


def test_flexible_character_accuracy_forgives_reading_order() -> None:
    gt = "основной текст письма\nрезолюция на полях"
    swapped = "резолюция на полях\nосновной текст письма"
    assert flexible_character_accuracy(gt, swapped) == (1.0, len(gt) - 1)
    # the plain CER punishes the same reordering heavily
    assert cer(gt.replace("\n", " "), swapped.replace("\n", " "))[0] > 0.5


@pytest.mark.parametrize(
    ("gt", "ocr", "accuracy"),
    [
        ("a", "", 0.0),
        ("a", "a", 1.0),
        ("aaa\nbbb\nccc", "ccc\naaa\nbbb", 1.0),
        ("Hello world", "Hello", 5 / 11),  # " world" unmatched: six deletions
        ("abc", "abd", 2 / 3),
        ("ab\ncd", "xyz", 0.0),  # ab~xy (2 subs), then cd~z (1 sub, 1 deletion)
        ("ab", "abcdefgh", -2.0),  # 6 inserted characters against 2: below zero, as the paper allows
    ],
)
def test_flexible_character_accuracy_known_answers(gt: str, ocr: str, accuracy: float) -> None:
    value, weight = flexible_character_accuracy(gt, ocr)
    assert value == pytest.approx(accuracy)
    assert weight == len(gt.replace("\n", ""))


def test_flexible_counts_add_by_weight() -> None:
    total = flexible_counts(["абв"], ["абв"]) + flexible_counts(["где"], [])
    assert total == FlexCounts(3, 6)
    assert total.accuracy == 0.5


def test_profiles() -> None:
    text = "Товарищу  СТАЛИНУ\nпере-\nговоры ёлка Copy"
    assert exact(text) == text
    assert default(text) == "Товарищу СТАЛИНУ переговоры ёлка Copy"
    assert lenient(text) == "товарищу сталину переговоры елка сору"  # Latin C, o, p, y read as Cyrillic
    assert default("а\u0301") == "\u0430\u0301"  # no precomposed form: NFC leaves it
    with pytest.raises(ValueError, match="unknown normalisation profile"):
        get_profile("loose")


@given(st.text(alphabet="аб вг\n-ёAoc\t", max_size=40))
def test_display_form_differs_from_metric_form_only_in_line_breaks(text: str) -> None:
    for profile in ("default", "lenient"):
        assert display(text, profile).replace("\n", " ") == get_profile(profile)(text)
    assert all(line for line in lines(text, "default"))


def test_confusions_and_wrong_words() -> None:
    counts, segments = character_alignment("молоко", "мoлокa")
    assert counts == EditCounts(2, 0, 0, 6)
    assert confusions(segments) == {("о", "o"): 1, ("о", "a"): 1}
    _, segments = character_alignment("кот", "ко")
    assert confusions(segments) == {("т", ""): 1}
    assert wrong_words("наши люди из Тавриза", "наши люпи Тавриза") == {("люди", "люпи"): 1, ("из", ""): 1}


def test_page_gives_exact_beside_the_chosen_profile() -> None:
    page = evaluate_page("Товарищу\nСТАЛИНУ", "товарищу сталину", "lenient")
    assert page.chars.rate == 0.0
    assert page.exact_chars.rate == pytest.approx(9 / 16)  # 8 capitals lower-cased and a line break
    assert page.words.rate == 0.0


ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГ .,-0123abc"


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=ALPHABET, min_size=1, max_size=60).filter(lambda s: s.strip() == s and s),
    st.text(alphabet=ALPHABET, max_size=60).filter(lambda s: s.strip() == s),
)
def test_cer_agrees_with_jiwer(ref: str, hyp: str) -> None:
    rate, weight = cer(ref, hyp)
    assert rate == pytest.approx(jiwer.cer(ref, hyp), abs=1e-12)
    assert weight == len(ref)
    counts = character_errors(ref, hyp)
    out = jiwer.process_characters(ref, hyp)
    assert counts.edits == out.substitutions + out.insertions + out.deletions
