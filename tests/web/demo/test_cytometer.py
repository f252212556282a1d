"""The generated FCS panels: files the product reads, deterministic with the seed, whose
phenotype is the one the demo story needs (computed by the product's own code)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from stromalab.core.cytometry import FcsData, parse_fcs
from stromalab.core.cytometry.phenotype import PhenotypeResult, phenotype
from stromalab.web.demo.cytometer import EVENTS, INSTRUMENT, msc_panel

DAY = dt.date(2026, 11, 2)


def _phenotype(hla_dr: float = 0.0, seed: int = 3) -> tuple[list[FcsData], PhenotypeResult]:
    tubes = msc_panel(np.random.default_rng(seed), acquired_on=DAY, hla_dr_fraction=hla_dr)
    parsed = [parse_fcs(t.data, t.name) for t in tubes]
    return parsed, phenotype(parsed[0], parsed[1:])


def test_the_same_seed_writes_the_same_bytes_and_another_seed_other_bytes() -> None:
    def panel(seed: int) -> list[bytes]:
        return [t.data for t in msc_panel(np.random.default_rng(seed), acquired_on=DAY)]

    assert panel(5) == panel(5)
    assert panel(5) != panel(6)


def test_files_are_fcs_31_with_the_channels_and_keywords_the_reader_maps() -> None:
    parsed, _ = _phenotype()
    control, positives, negatives = parsed
    assert all(p.version == "3.1" and p.event_count == EVENTS for p in parsed)
    names = [c.name for c in control.channels]
    assert names[:4] == ["FSC-A", "FSC-H", "SSC-A", "7-AAD-A"]
    assert all(not c.label for c in control.channels[4:])  # unstained
    assert {c.label for c in positives.channels if c.label} >= {"CD73 APC", "CD90 FITC", "CD105 PE"}
    assert control.keywords["$DATE"] == "02-NOV-2026"
    assert control.keywords["$CYT"] == INSTRUMENT
    assert "$SPILLOVER" in negatives.keywords


def test_a_conforming_panel_passes_every_isct_limit() -> None:
    _, result = _phenotype()
    values = {c.marker: c.value for c in result.criteria}
    assert result.verdict == "pass"
    assert set(values) == {"CD73", "CD90", "CD105", "CD45", "CD34", "CD14", "CD19", "HLA-DR"}
    assert min(values[m] for m in ("CD73", "CD90", "CD105")) > 97
    assert max(values[m] for m in ("CD45", "CD34", "CD14", "CD19", "HLA-DR")) < 2


def test_the_failing_panel_fails_on_hla_dr_alone() -> None:
    _, result = _phenotype(hla_dr=0.045)
    failing = [c.marker for c in result.criteria if c.status == "fail"]
    assert result.verdict == "fail" and failing == ["HLA-DR"]
