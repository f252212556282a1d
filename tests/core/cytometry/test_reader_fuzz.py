"""Whatever the bytes, the reader returns data or raises FcsError, and nothing else."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stromalab.core.cytometry import FcsData, FcsError, parse_fcs
from tests.core.cytometry.fcs_writer import Column, DataSet, build_fcs

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

COLUMNS = (
    Column("FSC-A", kind="I", bits=16, range=1024),
    Column("SSC-A", kind="I", bits=24, range=2**24),
    Column("FL1-A", "CD73 APC", kind="I", bits=32, range=2**32),
)
VALID = build_fcs(
    DataSet(
        COLUMNS,
        np.arange(60, dtype=np.float64).reshape(20, 3),
        version="3.0",
        keywords={"$SPILLOVER": "1,FL1-A,1"},
    )
)
TEXT_END = VALID.index(b"$SPILLOVER") + 40
KEYWORDS = (
    "$PAR",
    "$TOT",
    "$DATATYPE",
    "$BYTEORD",
    "$P1B",
    "$P2B",
    "$P3R",
    "$BEGINDATA",
    "$ENDDATA",
    "$NEXTDATA",
    "$MODE",
    "$SPILLOVER",
    "$P2DATATYPE",
)


def _outcome(raw: bytes) -> FcsData | None:
    try:
        return parse_fcs(raw, "fuzz.fcs")
    except FcsError as error:
        assert "\n" not in str(error)
        assert str(error).startswith("fuzz.fcs: ")
        return None


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes(raw: bytes) -> None:
    _outcome(raw)


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes_after_a_valid_looking_header(tail: bytes) -> None:
    _outcome(b"FCS3.0          58     200     201     400       0       0" + tail)


@FUZZ
@given(st.integers(min_value=0, max_value=len(VALID)))
def test_truncation(length: int) -> None:
    data = _outcome(VALID[:length])
    assert data is None or length == len(VALID)


@FUZZ
@given(st.lists(st.tuples(st.integers(0, TEXT_END), st.integers(0, 255)), min_size=1, max_size=8))
def test_corrupted_header_and_text_bytes(flips: list[tuple[int, int]]) -> None:
    raw = bytearray(VALID)
    for position, value in flips:
        raw[position] = value
    _outcome(bytes(raw))


@FUZZ
@given(
    st.sampled_from(KEYWORDS),
    st.one_of(
        st.text(
            alphabet=st.characters(blacklist_characters="/", blacklist_categories=("Cs",)),
            max_size=12,
        ),  # no lone surrogates: the test writer encodes TEXT as UTF-8
        st.integers(-(10**12), 10**12).map(str),
        st.sampled_from(
            ["0", "1", "3", "8", "24", "64", "65", "1e400", "nan", "-1", "1,2", "9" * 5000]
        ),
    ),
    st.booleans(),
)
def test_keyword_values(keyword: str, value: str, floats: bool) -> None:
    columns = tuple(Column(c.name, c.label) for c in COLUMNS) if floats else COLUMNS
    keywords = {keyword: value}
    _outcome(build_fcs(DataSet(columns, np.ones((20, 3)), version="3.0", keywords=keywords)))


def test_huge_channel_count_is_refused_at_once() -> None:
    columns = tuple(Column(c.name) for c in COLUMNS)
    raw = build_fcs(DataSet(columns, np.ones((2, 3)), keywords={"$PAR": "1000000000000"}))
    assert _outcome(raw) is None


@FUZZ
@given(
    st.lists(st.sampled_from(["8", "16", "24", "32", "40", "64"]), min_size=3, max_size=3),
    st.booleans(),
)
def test_declared_widths_that_do_not_match_the_data(widths: list[str], big: bool) -> None:
    keywords = {f"$P{i}B": width for i, width in enumerate(widths, start=1)}
    if big:
        keywords["$BYTEORD"] = "4,3,2,1"
    _outcome(build_fcs(DataSet(COLUMNS, np.ones((20, 3)), version="3.0", keywords=keywords)))
