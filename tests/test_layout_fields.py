"""Field parsing of typed regions: archive references, date lines, telegraph transmission blocks."""

from __future__ import annotations

import pytest

from digitize.layout.fields import fields_for, parse_archive_reference, parse_date, parse_transmission_block
from digitize.models import RegionType

# the source document's two transmission blocks, as the ground truth transcribes them
SENT = "Пер. 17 ч. 50 м. 20/IV 1946 г.\nМож. ОПС\nПринял"
CHECKED = "Проз. 18 ч. 00 м. 20/IV 1946 г.\n1 ч. ОПС"


def test_source_document_sent_block_gives_time_date_and_operator() -> None:
    f = parse_transmission_block(SENT)
    assert f["kind"] == "sent"
    assert f["datetime"] == "1946-04-20T17:50"
    assert f["operator"] == "Мож. ОПС"
    assert f["raw"] == SENT
    assert [e["kind"] for e in f["events"]] == ["sent", "received"]


def test_source_document_checked_block() -> None:
    f = parse_transmission_block(CHECKED)
    assert (f["kind"], f["time"], f["date"]) == ("checked", "18:00", "1946-04-20")


def test_transmission_block_tolerates_ocr_slips() -> None:
    # Roman IV read as Cyrillic ТУ, the full stop after ч lost
    f = parse_transmission_block("Пер. 17 ч 50 м. 20/ТУ 1946 г.")
    assert f["datetime"] == "1946-04-20T17:50"


def test_transmission_block_without_numbers_keeps_raw_only() -> None:
    f = parse_transmission_block("Принял")
    assert f["raw"] == "Принял"
    assert "datetime" not in f


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("20 апреля 1946 года", "1946-04-20"),
        ('"12" декабря 1951 года', "1951-12-12"),
        ('" " апреля 1946 года', "1946-04"),  # the day left blank for the signer
        ("12.XII.51 г.", "1951-12-12"),
        ("5 мая 1946", "1946-05-05"),
        ("03.11.1947", "1947-11-03"),
        ("без даты", None),
        ("32 апреля 1946", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_archive_reference_of_the_source_document() -> None:
    f = parse_archive_reference("Ф. 1, оп. 89, д. 112, лл. 118-120")
    assert (f["fond"], f["opis"], f["delo"], f["folio"]) == ("1", "89", "112", "118-120")


def test_archive_reference_as_the_transcriber_typed_it() -> None:
    # the ground truth's own slip: 04 for оп., 9 for д.
    f = parse_archive_reference("Ф.1,04.89,РМ\n9.112")
    assert (f["fond"], f["opis"], f["delo"]) == ("1", "89", "112")


def test_fields_only_for_types_that_carry_them() -> None:
    assert fields_for(RegionType.BODY, "20 апреля 1946 года") == {}
    assert fields_for(RegionType.DATE_LINE, "20 апреля 1946 года")["date"] == "1946-04-20"
    assert fields_for(RegionType.FOLIO_NUMBER, "118") == {"folio": 118}
    assert fields_for(RegionType.TRANSMISSION_BLOCK, "") == {}
