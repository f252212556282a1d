"""Files written on purpose in every layout the reader claims, compared with what was written."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from stromalab.core.cytometry import FcsError, parse_fcs
from tests.core.cytometry.fcs_writer import Column, DataSet, build_fcs

EVENTS = 257


def _values(columns: tuple[Column, ...], seed: int = 0) -> npt.NDArray[np.float64]:
    """Values each column can represent exactly (integers within range, float32-exact floats)."""
    rng = np.random.default_rng(seed)
    values = np.empty((EVENTS, len(columns)))
    for i, column in enumerate(columns):
        if column.kind == "I":
            values[:, i] = rng.integers(0, min(int(column.range), 2**column.bits), EVENTS)
        elif column.kind == "F":
            values[:, i] = rng.normal(0, 5000, EVENTS).astype(np.float32)
        else:
            values[:, i] = rng.normal(0, 5000, EVENTS)
    return values


def _columns(kind: str, widths: tuple[int, ...]) -> tuple[Column, ...]:
    return tuple(
        Column(f"C{i}", f"label {i}", kind, bits, float(2**bits)) for i, bits in enumerate(widths)
    )


LAYOUTS = {
    "float32": _columns("F", (32,) * 4),
    "float64": _columns("D", (64,) * 4),
    "int8": _columns("I", (8,) * 3),
    "int16": _columns("I", (16,) * 3),
    "int24": _columns("I", (24,) * 3),
    "int32": _columns("I", (32,) * 3),
    "int-mixed": _columns("I", (16, 8, 24, 32, 16, 40)),
}


@pytest.mark.parametrize("version", ["2.0", "3.0", "3.1"])
@pytest.mark.parametrize("big_endian", [False, True], ids=["little", "big"])
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_layouts_round_trip(layout: str, big_endian: bool, version: str) -> None:
    columns = LAYOUTS[layout]
    values = _values(columns)
    data_set = DataSet(columns, values, version=version, big_endian=big_endian)
    data = parse_fcs(build_fcs(data_set), "generated.fcs")
    np.testing.assert_array_equal(data.events, values)
    assert data.version == version
    assert [c.bits for c in data.channels] == [
        {"F": 32, "D": 64}.get(c.kind, c.bits) for c in columns
    ]
    assert [c.label for c in data.channels] == [c.label for c in columns]


@pytest.mark.parametrize("layout", ["float32", "float64", "int16", "int32"])
def test_uniform_layouts_go_through_flowio(layout: str) -> None:
    columns = LAYOUTS[layout]
    data = parse_fcs(build_fcs(DataSet(columns, _values(columns))), "generated.fcs")
    assert data.decoder == "flowio"


@pytest.mark.parametrize("layout", ["int24", "int-mixed"])
def test_layouts_flowio_cannot_read_use_numpy(layout: str) -> None:
    columns = LAYOUTS[layout]
    data = parse_fcs(build_fcs(DataSet(columns, _values(columns))), "generated.fcs")
    assert data.decoder == "numpy"


def test_fcs32_per_channel_data_types() -> None:
    columns = (
        Column("A", kind="F"),
        Column("B", kind="D"),
        Column("C", kind="I", bits=24, range=2**24),
        Column("D", kind="I", bits=16, range=2**16),
    )
    values = _values(columns)
    data_set = DataSet(columns, values, version="3.2", big_endian=True, per_channel_types=True)
    np.testing.assert_array_equal(parse_fcs(build_fcs(data_set), "x.fcs").events, values)


@pytest.mark.parametrize(
    "offsets", ["header-start", "header-stop", "text-start", "exclusive", "short", "text-only"]
)
@pytest.mark.parametrize("layout", ["float32", "int8", "int24"])
def test_discrepant_offsets(layout: str, offsets: str) -> None:
    columns = LAYOUTS[layout]
    values = _values(columns)
    data = parse_fcs(build_fcs(DataSet(columns, values, offsets=offsets)), "odd.fcs")
    np.testing.assert_array_equal(data.events, values)
    assert data.notes or offsets == "text-only"


def test_fcs20_uses_header_offsets_even_if_text_has_others() -> None:
    columns = LAYOUTS["int16"]
    values = _values(columns)
    data_set = DataSet(
        columns, values, version="2.0", keywords={"$BEGINDATA": "60", "$ENDDATA": "61"}
    )
    np.testing.assert_array_equal(parse_fcs(build_fcs(data_set), "old.fcs").events, values)


def test_two_data_sets_choose_either() -> None:
    first_columns, second_columns = LAYOUTS["int16"], LAYOUTS["float32"]
    first, second = _values(first_columns, 1), _values(second_columns, 2)
    raw = build_fcs(
        DataSet(first_columns, first, version="2.0"),
        DataSet(second_columns, second, version="3.0", big_endian=True),
    )
    np.testing.assert_array_equal(parse_fcs(raw, "two.fcs").events, first)
    np.testing.assert_array_equal(parse_fcs(raw, "two.fcs", dataset=1).events, second)
    with pytest.raises(FcsError, match="has 2 data set"):
        parse_fcs(raw, "two.fcs", dataset=2)


def test_integer_values_are_masked_to_their_range() -> None:
    """$PnR 1024 in 16 bits: the 6 upper bits are not data (FCS 3.0) and are dropped."""
    columns = (
        Column("FSC", kind="I", bits=16, range=1024),
        Column("T", kind="I", bits=16, range=65536),
    )
    values = np.array([[1023 + 1024 * 5, 65535], [7 + 1024 * 63, 1]], dtype=np.float64)
    data = parse_fcs(build_fcs(DataSet(columns, values)), "masked.fcs")
    np.testing.assert_array_equal(data.events, [[1023, 65535], [7, 1]])


def test_non_power_of_two_range_masks_to_the_next_power() -> None:
    columns = (Column("TIME", kind="I", bits=32, range=11209599),)
    values = np.array([[2**24 - 1], [2**24 + 5]], dtype=np.float64)
    data = parse_fcs(build_fcs(DataSet(columns, values)), "time.fcs")
    np.testing.assert_array_equal(data.events[:, 0], [2**24 - 1, 5])


def test_zero_events() -> None:
    columns = LAYOUTS["float32"]
    data = parse_fcs(build_fcs(DataSet(columns, np.empty((0, 4)))), "empty.fcs")
    assert data.events.shape == (0, 4)


def test_delimiter_inside_values_and_other_delimiters() -> None:
    columns = (Column("FL1-A", "CD73/APC"), Column("FL2-A", "HLA-DR|PE"))
    for delimiter in ("/", "|", "\\", "\x0c"):
        data_set = DataSet(
            columns, _values(columns), delimiter=delimiter, keywords={"$COM": f"a{delimiter}b"}
        )
        data = parse_fcs(build_fcs(data_set), "delim.fcs")
        assert [c.label for c in data.channels] == ["CD73/APC", "HLA-DR|PE"]
        assert data.keywords["$COM"] == f"a{delimiter}b"


def test_spillover_named_by_label_and_compensation() -> None:
    from stromalab.core.cytometry.spillover import compensate

    columns = (Column("FSC-A"), Column("FL1-A", "CD73"), Column("FL2-A", "CD90"))
    spill = np.array([[1.0, 0.2], [0.05, 1.0]])
    true = np.abs(_values(columns))
    observed = true.copy()
    observed[:, 1:] = true[:, 1:] @ spill
    keyword = "2,CD73,CD90," + ",".join(str(v) for v in spill.ravel())
    data = parse_fcs(build_fcs(DataSet(columns, observed, keywords={"SPILL": keyword})), "s.fcs")
    assert data.spillover is not None and data.spillover.indices == (1, 2)
    np.testing.assert_allclose(compensate(data.events, data.spillover), true, rtol=1e-5, atol=1e-2)


@pytest.mark.parametrize(
    ("keywords", "problem"),
    [
        ({"$SPILLOVER": "2,FL1-A,FL9-A,1,0,0,1"}, "does not have"),
        ({"$SPILLOVER": "2,FL1-A,FL2-A,1,0,0"}, "holds 3 values"),
        ({"$SPILLOVER": "2,FL1-A,FL2-A,1,x,0,1"}, "not a number"),
        ({"$SPILLOVER": "2,FL1-A,FL2-A,1,1,1,1"}, "not invertible"),
        ({"$SPILLOVER": "two,FL1-A"}, "channel count"),
    ],
)
def test_unusable_spillover_is_a_note(keywords: dict[str, str], problem: str) -> None:
    columns = (Column("FL1-A"), Column("FL2-A"))
    data = parse_fcs(build_fcs(DataSet(columns, _values(columns), keywords=keywords)), "s.fcs")
    assert data.spillover is None
    assert problem in " ".join(data.notes)


@pytest.mark.parametrize(
    ("keywords", "problem"),
    [
        ({"$DATATYPE": "A"}, "ASCII"),
        ({"$DATATYPE": "Q"}, "unknown data type"),
        ({"$BYTEORD": "3,4,1,2"}, "byte order"),
        ({"$MODE": "C"}, "list mode"),
        ({"$TOT": "300"}, "no DATA segment matches"),
        ({"$TOT": "x"}, "not a whole number"),
        ({"$PAR": "0"}, "no channels"),
        ({"$P1B": "12"}, "whole bytes"),
    ],
)
def test_bad_keywords_are_fcs_errors(keywords: dict[str, str], problem: str) -> None:
    columns = LAYOUTS["int16"]
    raw = build_fcs(DataSet(columns, _values(columns), keywords=keywords))
    with pytest.raises(FcsError, match=problem) as caught:
        parse_fcs(raw, "bad.fcs")
    assert str(caught.value).startswith("bad.fcs: ")


def test_truncated_data_is_an_fcs_error() -> None:
    columns = LAYOUTS["float32"]
    raw = build_fcs(DataSet(columns, _values(columns)))
    with pytest.raises(FcsError, match="truncated"):
        parse_fcs(raw[:-10], "cut.fcs")


@pytest.mark.parametrize(
    ("kind", "bits", "big_endian"),
    [("F", 32, True), ("F", 32, False), ("D", 64, True), ("I", 16, False)],
)
def test_large_uniform_files_use_numpy_and_equal_flowio(
    kind: str, bits: int, big_endian: bool
) -> None:
    """Above FLOWIO_MAX_VALUES our decoder reads even what FlowIO could: value for value the
    same as FlowIO's own decoding of the file."""
    import io

    import flowio

    from stromalab.core.cytometry.flowio_bridge import FLOWIO_MAX_VALUES

    columns = tuple(Column(f"C{i}", kind=kind, bits=bits, range=2**16) for i in range(5))
    rng = np.random.default_rng(4)
    events = FLOWIO_MAX_VALUES // len(columns) + 1001
    values = rng.integers(0, 2**16, (events, len(columns))).astype(np.float64)
    raw = build_fcs(DataSet(columns, values, big_endian=big_endian))
    data = parse_fcs(raw, "large.fcs")
    assert data.decoder == "numpy"
    assert data.columns.dtype == (np.float32 if kind == "F" else np.float64)
    reference = flowio.FlowData(io.BytesIO(raw)).as_array(preprocess=False)
    np.testing.assert_array_equal(data.events, reference)
    np.testing.assert_array_equal(data.events, values)
