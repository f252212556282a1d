"""Percent positive and the ISCT verdict on generated panels with known answers."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from stromalab.core.cytometry import FcsData, FcsError, parse_fcs
from stromalab.core.cytometry.gating import gate, gate_channels
from stromalab.core.cytometry.panel import ISCT_2006, MarkerLimit, Panel
from stromalab.core.cytometry.phenotype import phenotype
from stromalab.core.cytometry.spillover import compensate
from tests.core.cytometry.fcs_panels import Contaminants, expected_percent, tube

NEGATIVE_LABELS = {"PE-A": "CD45 PE", "FITC-A": "FITC-A :: CD34", "PerCP-A": "HLA-DR-PerCP"}
POSITIVE_LABELS = {"APC-A": "CD73 APC", "FITC-A": "CD90 FITC", "PE-A": "CD105-PE"}


def _read(raw: bytes, name: str) -> FcsData:
    return parse_fcs(raw, name)


def _control(seed: int, labels: dict[str, str], **options: object) -> FcsData:
    rng = np.random.default_rng(seed)
    return _read(
        tube(rng, {ch: (label, 0.0) for ch, label in labels.items()}, spill=0.08, **options),
        "control.fcs",
    )  # type: ignore[arg-type]


def _stained(
    seed: int, markers: dict[str, tuple[str, float]], name: str, **options: object
) -> FcsData:
    return _read(tube(np.random.default_rng(seed), markers, **options), name)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("fraction", [0.0, 0.015, 0.3, 0.5, 0.96, 1.0])
def test_known_fractions_are_recovered(seed: int, fraction: float) -> None:
    control = _control(seed, {"APC-A": "", "PE-A": "", "FITC-A": ""})
    stained = _stained(
        seed + 100,
        {
            "APC-A": ("CD73 APC", fraction),
            "PE-A": ("HLA-DR PE", 1 - fraction),
            "FITC-A": ("CD90", 0.5),
        },
        "stained.fcs",
    )
    result = phenotype(control, [stained])
    got = {m.marker: m.percent_positive for m in result.tubes[0].markers}
    assert got["CD73"] == pytest.approx(expected_percent(fraction), abs=0.5)
    assert got["HLA-DR"] == pytest.approx(expected_percent(1 - fraction), abs=0.5)
    assert got["CD90"] == pytest.approx(expected_percent(0.5), abs=0.5)
    assert result.tubes[0].gated_events == pytest.approx(20000, abs=60)


@pytest.mark.parametrize(
    ("with_height", "with_viability"), [(False, True), (True, False), (False, False)]
)
def test_gates_are_skipped_when_their_channel_is_missing(
    with_height: bool, with_viability: bool
) -> None:
    none = Contaminants(
        debris=0.08,
        saturated=0.02,
        doublets=0.0 if not with_height else 0.06,
        dead=0.0 if not with_viability else 0.07,
    )
    labels = {"APC-A": ""}
    options = {"with_height": with_height, "with_viability": with_viability, "contaminants": none}
    control = _control(5, labels, **options)
    stained = _stained(6, {"APC-A": ("CD73", 0.97)}, "s.fcs", **options)
    steps = [step.name for step in phenotype(control, [stained]).tubes[0].gates]
    assert ("singlets" in steps) == with_height
    assert ("live" in steps) == with_viability
    value = phenotype(control, [stained]).tubes[0].markers[0].percent_positive
    assert value == pytest.approx(expected_percent(0.97), abs=0.5)


def test_each_gate_removes_its_contaminant() -> None:
    data = _stained(7, {"APC-A": ("CD73", 0.5)}, "s.fcs")
    events = compensate(data.events, data.spillover)
    gating = gate(events, data.channels, gate_channels(data.channels))
    removed = {
        step.name: before.remaining - step.remaining for before, step in pairwise(gating.steps)
    }
    assert removed["not saturated"] >= 400  # 2 % of 20,000 cells clip FSC
    assert removed["not debris"] == pytest.approx(1600, abs=20)
    # Doublets beyond the FSC range are already gone as saturated, and the dead cells' own
    # scatter is generated loosely, so these two gates share some events.
    assert removed["singlets"] >= 1000
    assert removed["live"] >= 1000
    assert removed["singlets"] + removed["live"] + removed["not saturated"] == pytest.approx(
        400 + 1200 + 1400, abs=60
    )
    assert gating.count == pytest.approx(20000, abs=60)


def test_compensation_is_applied_per_file() -> None:
    """CD73 is bright and spills 6 % into the neighbouring HLA-DR channel: uncompensated,
    HLA-DR would look almost all positive."""
    control = _control(8, {"APC-A": "", "PE-A": ""})
    stained = _stained(9, {"APC-A": ("CD73", 0.99), "PE-A": ("HLA-DR", 0.0)}, "s.fcs", spill=0.12)
    assert stained.spillover is not None
    got = {m.marker: m.percent_positive for m in phenotype(control, [stained]).tubes[0].markers}
    assert got["HLA-DR"] < 2.0


def _panel(seed: int, positives: float, negatives: float) -> tuple[FcsData, list[FcsData]]:
    labels = {"APC-A": "", "FITC-A": "", "PE-A": "", "PerCP-A": ""}
    control = _control(seed, labels)
    tube1 = _stained(
        seed + 1,
        {
            "APC-A": ("CD73 APC", positives),
            "FITC-A": ("CD90 FITC", positives),
            "PE-A": ("CD105 PE", positives),
        },
        "positives.fcs",
    )
    tube2 = _stained(
        seed + 2,
        {
            "APC-A": ("CD45 APC", negatives),
            "FITC-A": ("CD34 FITC", negatives),
            "PE-A": ("CD11b/CD19 PE", negatives),
            "PerCP-A": ("HLA-DR PerCP", negatives),
        },
        "negatives.fcs",
    )
    return control, [tube1, tube2]


def test_isct_pass() -> None:
    control, tubes = _panel(20, 0.99, 0.0)
    result = phenotype(control, tubes)
    assert result.verdict == "pass"
    assert {c.marker for c in result.criteria} == {
        "CD73",
        "CD90",
        "CD105",
        "CD45",
        "CD34",
        "CD11b",
        "CD19",
        "HLA-DR",
    }
    assert all(c.status == "pass" for c in result.criteria)


def test_isct_fail_when_a_negative_marker_is_too_high() -> None:
    control, tubes = _panel(30, 0.99, 0.05)
    result = phenotype(control, tubes)
    assert result.verdict == "fail"
    assert {c.marker for c in result.criteria if c.status == "fail"} == {
        "CD45",
        "CD34",
        "CD11b",
        "CD19",
        "HLA-DR",
    }


def test_isct_incomplete_when_a_slot_is_unmeasured_and_either_pairs_suffice() -> None:
    control = _control(40, {"APC-A": "", "FITC-A": "", "PE-A": ""})
    tube1 = _stained(
        41, {"APC-A": ("CD73", 0.99), "FITC-A": ("CD90", 0.99), "PE-A": ("CD105", 0.99)}, "p.fcs"
    )
    tube2 = _stained(
        42, {"APC-A": ("CD45", 0.0), "FITC-A": ("CD34", 0.0), "PE-A": ("CD14", 0.0)}, "n.fcs"
    )
    result = phenotype(control, [tube1, tube2])
    assert result.verdict == "incomplete"
    missing = [c.marker for c in result.criteria if c.status == "not measured"]
    assert missing == ["CD79a/CD19", "HLA-DR"]
    assert all(c.value is None for c in result.criteria if c.status == "not measured")


def test_fail_wins_over_incomplete() -> None:
    control = _control(50, {"APC-A": ""})
    stained = _stained(51, {"APC-A": ("CD73", 0.80)}, "s.fcs")
    assert phenotype(control, [stained]).verdict == "fail"


def test_worst_value_over_tubes_counts() -> None:
    control = _control(60, {"APC-A": "", "PE-A": ""})
    good = _stained(61, {"APC-A": ("CD73", 0.99), "PE-A": ("CD45", 0.0)}, "good.fcs")
    worse = _stained(62, {"APC-A": ("CD73", 0.96), "PE-A": ("CD45", 0.015)}, "worse.fcs")
    result = phenotype(control, [good, worse])
    rows = {c.marker: c.value for c in result.criteria}
    per_tube = {(t.file, m.marker): m.percent_positive for t in result.tubes for m in t.markers}
    assert (
        rows["CD73"]
        == per_tube[("worse.fcs", "CD73")]
        == min(per_tube[(f, "CD73")] for f in ("good.fcs", "worse.fcs"))
    )
    assert (
        rows["CD45"]
        == per_tube[("worse.fcs", "CD45")]
        == max(per_tube[(f, "CD45")] for f in ("good.fcs", "worse.fcs"))
    )


def test_explicit_marker_names() -> None:
    control = _control(70, {"APC-A": ""})
    stained = _stained(71, {"APC-A": ("tube A", 0.97)}, "s.fcs")
    assert phenotype(control, [stained]).tubes[0].markers == ()
    result = phenotype(control, [stained], {"APC-A": "cd105"})
    assert [m.marker for m in result.tubes[0].markers] == ["CD105"]
    with pytest.raises(FcsError, match="no stained tube has that channel"):
        phenotype(control, [stained], {"BV421-A": "CD73"})


def test_a_protocol_can_override_the_panel() -> None:
    control = _control(80, {"APC-A": ""})
    stained = _stained(81, {"APC-A": ("CD73", 0.92)}, "s.fcs")
    strict = phenotype(control, [stained], panel=ISCT_2006)
    lenient = phenotype(
        control, [stained], panel=Panel("site panel", (MarkerLimit(("CD73",), "min", 90.0),))
    )
    assert (strict.verdict, lenient.verdict) == ("fail", "pass")


def test_control_without_the_channel_is_an_error() -> None:
    control = _control(90, {"APC-A": ""})
    stained = _stained(91, {"PE-A": ("CD73", 0.97)}, "s.fcs")
    with pytest.raises(FcsError, match="control has no channel 'PE-A'"):
        phenotype(control, [stained])


def test_threshold_is_numpy_99th_percentile_of_the_gated_control() -> None:
    control = _control(100, {"APC-A": ""})
    stained = _stained(101, {"APC-A": ("CD73", 0.5)}, "s.fcs")
    events = compensate(control.events, control.spillover)
    kept = gate(events, control.channels, gate_channels(control.channels)).kept
    marker = phenotype(control, [stained]).tubes[0].markers[0]
    assert marker.threshold == np.percentile(events[kept, control.index("APC-A")], 99)
    s_events = compensate(stained.events, stained.spillover)
    s_kept = gate(s_events, stained.channels, gate_channels(stained.channels)).kept
    column = s_events[s_kept, stained.index("APC-A")]
    assert (
        marker.percent_positive == 100 * np.count_nonzero(column > marker.threshold) / column.size
    )


def test_json_contract() -> None:
    control, tubes = _panel(110, 0.99, 0.0)
    document = phenotype(control, tubes).as_json()
    assert set(document) == {"control", "threshold_percentile", "tubes", "isct"}
    assert set(document["control"]) == {"file", "events", "gated_events"}
    assert document["threshold_percentile"] == 99
    assert all(set(t) == {"file", "events", "gated_events", "markers"} for t in document["tubes"])
    marker_keys = {"marker", "channel", "threshold", "percent_positive"}
    assert all(set(m) == marker_keys for t in document["tubes"] for m in t["markers"])
    assert set(document["isct"]) == {"verdict", "criteria"}
    assert all(
        set(c) == {"marker", "limit", "value", "status"} for c in document["isct"]["criteria"]
    )


def test_large_tubes_match_the_reference_computation() -> None:
    """On tubes large enough for the sampled selection and the numpy decoder, thresholds and
    percentages are bit for bit numpy's percentile and count on ``compensate`` + ``gate``."""
    from stromalab.core.cytometry.spillover import compensated_columns

    rng = np.random.default_rng(120)
    labels = {"APC-A": ("", 0.0), "PE-A": ("", 0.0), "FITC-A": ("", 0.0)}
    control = _read(tube(rng, labels, cells=90_000, spill=0.08), "control.fcs")
    markers = {"APC-A": ("CD73", 0.97), "PE-A": ("HLA-DR", 0.02), "FITC-A": ("CD90", 0.5)}
    stained = _read(tube(rng, markers, cells=90_000), "stained.fcs")
    assert stained.decoder == "numpy" and stained.columns.dtype == np.float32
    result = phenotype(control, [stained])
    for data, reference in ((control, None), (stained, result.tubes[0])):
        events = compensate(data.events, data.spillover)
        np.testing.assert_array_equal(
            np.column_stack(compensated_columns(list(data.columns), data.spillover)), events
        )
        kept = gate(events, data.channels, gate_channels(data.channels)).kept
        if reference is None:
            control_events, control_kept = events, kept
            continue
        assert reference.gated_events == np.count_nonzero(kept)
        for marker in reference.markers:
            column = control_events[control_kept, control.index(marker.channel)]
            assert marker.threshold == np.percentile(column, 99)
            values = events[kept, data.index(marker.channel)]
            assert marker.percent_positive == (
                100 * np.count_nonzero(values > marker.threshold) / values.size
            )
