"""Every real instrument file in tests/data/fcs is read, and read right."""

from __future__ import annotations

import warnings
from pathlib import Path

import flowio
import numpy as np
import pytest

from stromalab.core.cytometry import FcsError, count_datasets, read_fcs
from tests.core.cytometry.conftest import FIXTURES

READABLE = sorted(
    path.name
    for path in FIXTURES.glob("*")
    if path.suffix in (".fcs", ".lmd") and path.name != "corrupted.fcs"
)


def test_all_fixtures_are_listed() -> None:
    assert len(READABLE) == 13


@pytest.mark.parametrize("name", READABLE)
def test_fixture_matches_its_keywords(fixtures: Path, name: str) -> None:
    data = read_fcs(fixtures / name)
    tot, par = int(data.keywords["$TOT"]), int(data.keywords["$PAR"])
    assert data.events.shape == (tot, par)
    assert len(data.channels) == par
    assert data.events.dtype == np.float64
    assert not data.events.flags.writeable
    assert np.all(np.isfinite(data.events))
    for channel in data.channels:
        assert channel.name == data.keywords.get(f"$P{channel.number}N", "").strip()


@pytest.mark.parametrize("name", READABLE)
def test_fixture_matches_flowio(fixtures: Path, name: str) -> None:
    """FlowIO (told which offsets to trust) decodes the same values, where it can at all."""
    data = read_fcs(fixtures / name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            flow = flowio.read_multiple_data_sets(
                str(fixtures / name),
                ignore_offset_error=True,
                ignore_offset_discrepancy=True,
            )[0]
            reference = flow.as_array(preprocess=False)
        except Exception:
            assert name == "cytek_xp5_24bit.fcs"  # FlowIO has no 24-bit integers
            return
    np.testing.assert_array_equal(data.events, reference)
    assert [c.name for c in data.channels] == flow.pnn_labels


def test_corrupted_file_is_refused_in_one_line(fixtures: Path) -> None:
    with pytest.raises(FcsError) as caught:
        read_fcs(fixtures / "corrupted.fcs")
    message = str(caught.value)
    assert "corrupted.fcs" in message
    assert "\n" not in message


def test_missing_file_is_an_fcs_error(tmp_path: Path) -> None:
    with pytest.raises(FcsError, match="cannot be read"):
        read_fcs(tmp_path / "absent.fcs")


def test_24_bit_integers_decode_like_int_from_bytes(fixtures: Path) -> None:
    path = fixtures / "cytek_xp5_24bit.fcs"
    data = read_fcs(path)
    raw = path.read_bytes()
    start = int(data.keywords["$BEGINDATA"])
    for event in (0, 1, 777, data.event_count - 1):
        for channel in range(len(data.channels)):
            offset = start + (event * len(data.channels) + channel) * 3
            value = int.from_bytes(raw[offset : offset + 3], "big")
            mask = 1023 if channel else 32767  # $PnR 1024, and 30000 for TIME
            assert data.events[event, channel] == value & mask
    assert data.events[:, 1:].max() <= 1023


def test_mixed_widths(fixtures: Path) -> None:
    data = read_fcs(fixtures / "partec_cyflow_cube8_mixed_widths.fcs")
    assert [c.bits for c in data.channels] == [16] * 8 + [32, 8]
    assert data.events[:, 9].max() <= 255


def test_two_data_sets(fixtures: Path) -> None:
    path = fixtures / "beckman_coulter_two_datasets.lmd"
    assert count_datasets(path.read_bytes(), str(path)) == 2
    first, second = read_fcs(path), read_fcs(path, dataset=1)
    assert (first.version, second.version) == ("2.0", "3.0")
    assert first.keywords["$BYTEORD"] == "1,2"
    assert first.event_count == second.event_count == 18110
    assert [c.bits for c in second.channels] == [32] * 8
    with pytest.raises(FcsError, match="data set 2 does not exist"):
        read_fcs(path, dataset=2)


def test_offset_discrepancies_resolve_to_the_same_data(fixtures: Path) -> None:
    reference = read_fcs(fixtures / "flowio_variable_int.fcs")
    for name, ignored in (
        ("flowio_data_start_offset_discrepancy.fcs", "HEADER DATA offsets 5555-6188"),
        ("flowio_data_stop_offset_discrepancy.fcs", "HEADER DATA offsets 6081-6944"),
    ):
        data = read_fcs(fixtures / name)
        np.testing.assert_array_equal(data.events, reference.events)
        assert any(ignored in note for note in data.notes)


def test_off_by_one_end_offset(fixtures: Path) -> None:
    data = read_fcs(fixtures / "miltenyi_macsquant_fcs31.fcs")
    assert data.event_count == 10000
    assert any("off by one" in note for note in data.notes)
    # Its $SPILLOVER lists channels but no values: the file is read, the matrix ignored.
    assert data.spillover is None
    assert any("$SPILLOVER" in note for note in data.notes)


def test_spill_matrix(fixtures: Path) -> None:
    data = read_fcs(fixtures / "bd_facsdiva_spill.fcs")
    assert data.spillover is not None
    assert data.spillover.keyword == "SPILL"
    assert len(data.spillover.channels) == 8
    np.testing.assert_array_equal(np.diag(data.spillover.matrix), np.ones(8))
    assert {c.label for c in data.channels} >= {"CD45", "CD34", "CD19"}


def test_escaped_delimiters_and_padding(fixtures: Path) -> None:
    data = read_fcs(fixtures / "thermo_attune_g11.fcs")
    assert data.keywords["$P3F"] == "488/10"
    assert data.channels[5].label == "Alexa Fluor™ 405-A"
