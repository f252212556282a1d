"""ISBT 128 label data structures [001], [003], [005] and the compound message [023].

Expected values are ICCBBA's published examples, each with its source: ST-001 is the *ISBT 128
Standard Technical Specification* v6.2.2 (2023), ST-017 the *ISBT 128 Standard, Coding and
Labeling of Medical Devices Containing MPHO* v1.0.0 (2019). Where ICCBBA publishes no example
(a [005] for a time other than the 23:59 default, our own product code), the test checks the
specification's rules and says so.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stromalab.core.manufacturing.isbt128 import (
    Din,
    Isbt128Error,
    check_character,
    check_flags,
    parse_din,
)
from stromalab.core.manufacturing.isbt128_structures import (
    COLLECTION_TYPES,
    DataStructure,
    compound_message,
    donation_identification_number,
    end_of_day,
    expiration_date_time,
    product_code,
)

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("din", "check"),
    [
        ("G123417654321", "A"),  # ST-001 Appendix A.1, worked calculation
        ("A999818123456", "N"),  # ST-001 §7.5.1.1, printed DIN with its boxed check character
        ("A999820123456", "E"),  # ST-001 Appendix C, Figure 20 (blood label)
        ("A999917123654", "Y"),  # ST-001 Appendix C, Figure 21 (tissue label 4)
        ("A999917345628", "*"),  # ST-001 Appendix C, Figure 22 (ocular tissue label): value 36
        ("A999917345658", "O"),  # ST-001 Appendix C, Figure 22 (second ocular tissue label)
        ("A999915000001", "M"),  # ST-001 Appendix C, Figure 23 (human milk label)
        ("A999918000001", "8"),  # ST-001 Appendix C, Figure 23 (second human milk label)
    ],
)
def test_keyboard_entry_check_character_published_examples(din: str, check: str) -> None:
    assert check_character(din) == check


def test_type_3_flags_published_example() -> None:
    # ST-001 Appendix A.2: checksum 10 + 60 gives flags 70, data content G12341765432170.
    din = parse_din("G123417654321")
    assert donation_identification_number(din, check_flags(din)).content == "G12341765432170"


def test_din_structure_published_example() -> None:
    # ST-017 §3.1 Figure 2: =A99991712345600 is FIN A9999, year 17, sequence 123456, flags 00.
    structure = donation_identification_number(Din("A9999", 17, 123456))
    assert (structure.number, structure.identifier, structure.data) == ("001", "=", "=A99991712345600")


def test_din_structure_refuses_flags_that_contradict_the_din() -> None:
    with pytest.raises(Isbt128Error, match="flags"):
        donation_identification_number(parse_din("G123417654321"), "71")


@pytest.mark.parametrize(
    ("code", "kind", "division", "content"),
    [
        ("E4306", "V", "00", "E4306V00"),  # ST-001 Appendix C, Figure 20: "Product: E4306V00"
        ("S1295", "4", "A0", "S12954A0"),  # ST-001 §2.4.3, Figure 3 (cellular therapy)
    ],
)
def test_product_code_published_examples(code: str, kind: str, division: str, content: str) -> None:
    structure = product_code(code, kind, division)
    assert structure.content == content
    assert structure.data == f"=<{content}"


def test_product_code_of_this_product() -> None:
    # No published example for our code: ST-001 §2.4.3 rules, =< + αoooo + t + ds.
    assert product_code("S1234", "V", "Bc").data == "=<S1234VBc"


@pytest.mark.parametrize(
    ("code", "kind", "division", "field"),
    [
        ("S123", "V", "00", "product code"),
        ("s1234", "V", "00", "product code"),
        ("S12a4", "V", "00", "product code"),
        ("T0326", "V", "00", "product code"),  # tissues: 3-digit division, not t + ds
        ("S1234", "Z", "00", "collection type"),
        ("S1234", "", "00", "collection type"),
        ("S1234", "V", "a0", "division"),
    ],
)
def test_product_code_refusals_name_the_field(code: str, kind: str, division: str, field: str) -> None:
    with pytest.raises(Isbt128Error) as caught:
        product_code(code, kind, division)
    assert caught.value.field == field


def test_collection_types_are_single_characters_of_table_rt008() -> None:
    assert len(COLLECTION_TYPES) == 29
    assert all(len(c) == 1 for c in COLLECTION_TYPES)
    assert COLLECTION_TYPES["V"].startswith("volunteer homologous")


def test_expiration_date_and_time_published_example() -> None:
    # ST-001 Appendix C, Figure 21 (tissue label 4): 0180292359 printed as expiry 29 JAN 2018,
    # the date with the default time 23:59 (ST-001 §2.4.5).
    structure = expiration_date_time(end_of_day(date(2018, 1, 29), PARIS))
    assert (structure.number, structure.identifier, structure.content) == ("005", "&>", "0180292359")
    assert structure.data == "&>0180292359"


def test_expiration_date_part_matches_the_published_date_example() -> None:
    # ST-017 §4.3.1: Expiration Date [004] =>019031 is 31 JAN 2019; [005] starts with the same cyyjjj.
    assert expiration_date_time(end_of_day(date(2019, 1, 31), PARIS)).content[:6] == "019031"


@pytest.mark.parametrize(
    ("moment", "content"),
    [
        # no published example for these: ST-001 §2.4.5 rules (ordinal day, 24-hour clock)
        (datetime(2027, 3, 2, 0, 0, tzinfo=PARIS), "0270610000"),
        (datetime(2028, 12, 31, 13, 30, tzinfo=PARIS), "0283661330"),  # leap year: day 366
        (datetime(2100, 1, 1, 8, 5, tzinfo=PARIS), "1000010805"),  # next century digit
    ],
)
def test_expiration_date_and_time_rules(moment: datetime, content: str) -> None:
    assert expiration_date_time(moment).content == content


def test_expiration_is_the_wall_clock_of_the_zone_given() -> None:
    # The same instant reads 23:59 in Paris (winter, UTC+1) and 22:59 in UTC: the label encodes
    # the site's local time, so the caller converts before encoding.
    paris = end_of_day(date(2027, 1, 15), PARIS)
    assert expiration_date_time(paris).content == "0270152359"
    assert expiration_date_time(paris.astimezone(UTC)).content == "0270152259"
    summer = end_of_day(date(2027, 7, 15), PARIS)
    assert summer.utcoffset() == timedelta(hours=2)
    assert expiration_date_time(summer.astimezone(timezone(timedelta(hours=-5)))).content == "0271961659"


def test_expiration_refusals() -> None:
    with pytest.raises(Isbt128Error, match="without a time zone"):
        expiration_date_time(datetime(2027, 3, 2, 23, 59))
    with pytest.raises(Isbt128Error, match="2000-2999"):
        expiration_date_time(datetime(1999, 12, 31, 23, 59, tzinfo=PARIS))


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2999, 12, 31, 23, 59)))
def test_expiration_round_trips(moment: datetime) -> None:
    content = expiration_date_time(moment.replace(tzinfo=UTC)).content
    assert len(content) == 10 and content.isdigit()
    year = 2000 + int(content[0]) * 100 + int(content[1:3])
    decoded = datetime(year, 1, 1) + timedelta(
        days=int(content[3:6]) - 1, hours=int(content[6:8]), minutes=int(content[8:])
    )
    assert decoded == moment.replace(second=0, microsecond=0)


def test_compound_message_published_example() -> None:
    # ST-017 §4.3.1, unspecified sequence: four structures, =+04000 then each with its identifier.
    structures = [
        DataStructure("034", "=/", "A9997XYZ100T0479"),
        donation_identification_number(Din("A9999", 17, 123456)),
        DataStructure("032", "=,", "000012"),
        DataStructure("004", "=>", "019031"),
    ]
    assert compound_message(structures) == "=+04000=/A9997XYZ100T0479=A99991712345600=,000012=>019031"


def test_compound_message_of_a_container_label() -> None:
    # No published example for this combination: ST-001 §2.4.23 rules, aa = 03, bbb = 000.
    din = parse_din("G123417654321")
    message = compound_message([
        donation_identification_number(din),
        product_code("S1234", "V", "A0"),
        expiration_date_time(end_of_day(date(2027, 3, 2), PARIS)),
    ])
    assert message == "=+03000=G12341765432100=<S1234VA0&>0270612359"


def test_compound_message_refusals() -> None:
    with pytest.raises(Isbt128Error, match="1 to 99"):
        compound_message([])
    with pytest.raises(Isbt128Error, match="1 to 99"):
        compound_message([DataStructure("032", "=,", "000001")] * 100)
    with pytest.raises(Isbt128Error, match="another one"):
        compound_message([DataStructure("023", "=+", "01000")])
