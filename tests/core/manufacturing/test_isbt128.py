"""ISBT 128 DIN: check characters, error detection, parsing, assignment and divisions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.iso7064 import mod_37_2

from stromalab.core.manufacturing.isbt128 import (
    ALPHABET,
    MAX_SEQUENCE,
    ContainerId,
    Din,
    Isbt128Error,
    check_character,
    check_flags,
    container_ids,
    division_codes,
    next_din,
    parse,
    parse_din,
    parse_division,
    verify_check_character,
)

dins = st.builds(
    Din,
    fin=st.builds(
        lambda letter, digits: letter + digits,
        st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        st.from_regex(r"\A[0-9]{4}\Z"),
    ),
    year=st.integers(0, 99),
    sequence=st.integers(0, MAX_SEQUENCE),
)


@pytest.mark.parametrize(
    ("din", "check"),
    [
        ("G123417654321", "A"),  # ISBT 128 worked example
        ("W000009123456", "G"),  # ISBT 128 worked example
        ("G123498654321", "H"),  # UK Red Book annex 2 worked example
    ],
)
def test_check_character_worked_examples(din: str, check: str) -> None:
    assert check_character(din) == check
    assert parse_din(din).check_character == check


def test_check_flags_are_60_plus_check_value() -> None:
    # Red Book annex 2: checksum 17 gives barcode check characters 77.
    assert check_flags(parse_din("G123498654321")) == "77"


@given(dins, st.data())
def test_any_single_substitution_is_detected(din: Din, data: st.DataObject) -> None:
    full = din.text + din.check_character
    position = data.draw(st.integers(0, len(full) - 1))
    replacement = data.draw(st.sampled_from(ALPHABET).filter(lambda c: c != full[position]))
    altered = full[:position] + replacement + full[position + 1 :]
    assert not _valid(altered)


@given(dins, st.data())
def test_any_adjacent_transposition_is_detected(din: Din, data: st.DataObject) -> None:
    full = din.text + din.check_character
    position = data.draw(st.integers(0, len(full) - 2))
    a, b = full[position], full[position + 1]
    altered = full[:position] + b + a + full[position + 2 :]
    if a != b:
        assert not _valid(altered)


def _valid(din_and_check: str) -> bool:
    """Whether 14 characters would be accepted as DIN + check character.

    The check character alone must catch the error, not only the format rules (a letter where a
    digit belongs), so the bare MOD 37-2 checksum is asserted to fail as well.
    """
    assert not mod_37_2.is_valid(din_and_check, alphabet=ALPHABET)
    try:
        parse(din_and_check)
    except Isbt128Error:
        return False
    return True


@given(dins)
def test_printed_and_scanned_forms_round_trip(din: Din) -> None:
    printed = f"{din.printed()} {din.check_character}"
    assert parse(printed).din == din
    assert parse(din.printed()).din == din
    scanned = parse(din.barcode_data())
    assert (scanned.din, scanned.flags, scanned.check_character) == (din, "00", None)
    checked = parse(din.barcode_data(check_flags(din)))
    assert checked.check_character == din.check_character


@pytest.mark.parametrize(
    ("text", "flags", "check"),
    [
        ("G123417654321", None, None),
        ("G1234 17 654321", None, None),
        ("G1234 17 654321 A", None, "A"),
        ("G1234 17 654321 00", "00", None),
        ("G1234 17 654321 00 A", "00", "A"),
        ("  g1234 17 654321 00 a ", "00", "A"),
        ("G123417654321 00A", "00", "A"),
    ],
)
def test_printed_forms(text: str, flags: str | None, check: str | None) -> None:
    reading = parse(text)
    assert reading.din == Din("G1234", 17, 654321)
    assert (reading.flags, reading.check_character, reading.source) == (flags, check, "printed")


def test_scanned_form() -> None:
    reading = parse("=G12341765432100")
    assert reading.din.text == "G123417654321"
    assert (reading.flags, reading.check_character, reading.source) == ("00", None, "scanned")


def test_din_forms() -> None:
    din = Din("G1234", 17, 654321)
    assert str(din) == din.text == "G123417654321"
    assert din.printed() == "G1234 17 654321 00"
    assert din.barcode_data() == "=G12341765432100"
    assert Din("A0001", 5, 7).text == "A000105000007"


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("G1234 17 654321 00 B", "check character", "does not match"),
        ("G1234 17 654321 00 -", "check character", "not one of"),
        ("G1234 17 65432", "DIN", "expected 13 characters"),
        ("G1234 17 654321 000 A", "DIN", "got 17"),
        ("11234 17 654321", "FIN", "capital letter then 4 digits"),
        ("GA234 17 654321", "FIN", "capital letter then 4 digits"),
        ("G1234 1X 654321", "year", "2 digits"),
        ("G1234 17 65432X", "sequence", "6 digits"),
        ("G1234 17 654321 0X", "flags", "2 digits"),
        ("=G1234176543210", "barcode", "16 characters"),
        ("=G12341765432100 ", "barcode", "16 characters"),
        ("=g12341765432100", "FIN", "capital letter"),
        ("=G12341765432178", "flags", "do not match"),
        ("=G123417654321A0", "flags", "2 digits"),
    ],
)
def test_bad_inputs_name_the_field(text: str, field: str, words: str) -> None:
    with pytest.raises(Isbt128Error) as caught:
        parse(text)
    assert caught.value.field == field
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"{field}: ")


def test_ascii_digits_only() -> None:
    with pytest.raises(Isbt128Error, match="sequence"):
        parse_din("G12341765432\u00b9")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"fin": "G123", "year": 17, "sequence": 1}, "FIN"),
        ({"fin": "G1234", "year": 100, "sequence": 1}, "year"),
        ({"fin": "G1234", "year": True, "sequence": 1}, "year"),
        ({"fin": "G1234", "year": 17, "sequence": 1_000_000}, "sequence"),
        ({"fin": "G1234", "year": 17, "sequence": -1}, "sequence"),
    ],
)
def test_din_fields_are_validated(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(Isbt128Error) as caught:
        Din(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_check_character_needs_thirteen_characters() -> None:
    with pytest.raises(Isbt128Error, match="DIN: expected 13"):
        check_character("G1234 17 654321")


def test_next_din() -> None:
    assert next_din("G1234", 26, None) == Din("G1234", 26, 1)
    assert next_din("G1234", 26, 0) == Din("G1234", 26, 1)
    assert next_din("G1234", 26, 41).text == "G123426000042"
    assert next_din("G1234", 26, MAX_SEQUENCE - 1).sequence == MAX_SEQUENCE


def test_next_din_overflow_is_an_error() -> None:
    with pytest.raises(Isbt128Error, match="all 999999 sequence numbers of G1234 year 26"):
        next_din("G1234", 26, MAX_SEQUENCE)


@pytest.mark.parametrize("last", [-1, 1_000_000, True, "5"])
def test_next_din_rejects_bad_last_sequence(last: object) -> None:
    with pytest.raises(Isbt128Error, match="sequence"):
        next_din("G1234", 26, last)  # type: ignore[arg-type]


def test_division_codes() -> None:
    assert division_codes(1) == ("00",)
    assert division_codes(3) == ("A0", "B0", "C0")
    assert division_codes(26)[-1] == "Z0"
    many = division_codes(27)
    assert many[:3] == ("Aa", "Ab", "Ac") and many[26] == "Ba"
    assert division_codes(676)[-1] == "Zz"
    for count in (1, 20, 26, 27, 676):
        codes = division_codes(count)
        assert len(set(codes)) == count
        assert all(parse_division(code) == code for code in codes)


@pytest.mark.parametrize("count", [0, -1, 677, True])
def test_division_codes_bad_count(count: int) -> None:
    with pytest.raises(Isbt128Error, match="division"):
        division_codes(count)


@pytest.mark.parametrize("code", ["0A", "a0", "A", "AAA", "AB", "0a", "A1"])
def test_bad_division_codes(code: str) -> None:
    with pytest.raises(Isbt128Error, match="division"):
        parse_division(code)


def test_container_ids_keep_the_din() -> None:
    din = Din("G1234", 26, 42)
    ids = container_ids(din, "S1234", 3)
    assert [c.text for c in ids] == [
        "G123426000042 S1234 A0",
        "G123426000042 S1234 B0",
        "G123426000042 S1234 C0",
    ]
    assert all(c.din == din for c in ids)
    with pytest.raises(Isbt128Error, match="product code"):
        ContainerId(din, "S12", "A0")


@pytest.mark.parametrize(
    ("check", "words"), [("B", "does not match"), ("AA", "not one of"), ("", "not one of")]
)
def test_verify_check_character(check: str, words: str) -> None:
    din = parse_din("G123417654321")
    verify_check_character(din, "A")
    with pytest.raises(Isbt128Error, match=words):
        verify_check_character(din, check)
