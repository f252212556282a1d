"""Marker names in vendor spellings, and which channel measures what."""

from __future__ import annotations

import pytest

from stromalab.core.cytometry.markers import canonical_marker, channel_markers, find_markers
from stromalab.core.cytometry.model import Channel


@pytest.mark.parametrize(
    ("label", "markers"),
    [
        ("CD73 APC", ("CD73",)),
        ("APC-A :: CD73", ("CD73",)),
        ("HLA-DR-PE", ("HLA-DR",)),
        ("HLADR FITC", ("HLA-DR",)),
        ("CD11b", ("CD11b",)),
        ("CD11B-PE", ("CD11b",)),
        ("CD14", ("CD14",)),
        ("CD19 BV421", ("CD19",)),
        ("CD79a", ("CD79a",)),
        ("CD34", ("CD34",)),
        ("CD45 PerCP", ("CD45",)),
        ("FITC-A :: CD90", ("CD90",)),
        ("CD105-PE", ("CD105",)),
        ("cd 105", ("CD105",)),
        ("CD34/CD45/CD11b/CD19/HLA-DR PE", ("CD34", "CD45", "CD11b", "CD19", "HLA-DR")),
        ("CD45RA", ("CD45RA",)),
        ("PE-Cy7-A", ()),
        ("BV421-A", ()),
        ("7-AAD", ()),
        ("", ()),
    ],
)
def test_find_markers(label: str, markers: tuple[str, ...]) -> None:
    assert find_markers(label) == markers


def test_canonical_marker_keeps_unknown_names() -> None:
    assert canonical_marker("cd73") == "CD73"
    assert canonical_marker(" hla-dr ") == "HLA-DR"
    assert canonical_marker("Stro-1") == "Stro-1"


def _channels(*pairs: tuple[str, str]) -> tuple[Channel, ...]:
    return tuple(Channel(n, name, label, 32, 262144.0) for n, (name, label) in enumerate(pairs, 1))


def test_channel_markers_from_label_then_name() -> None:
    channels = _channels(("FSC-A", ""), ("APC-A", "CD73 APC"), ("CD90-FITC-A", ""), ("PE-A", ""))
    assert channel_markers(channels, {}) == [(1, ("CD73",)), (2, ("CD90",))]


def test_explicit_names_win_and_may_use_label() -> None:
    channels = _channels(("APC-A", "CD73 APC"), ("PE-A", "tube 2"))
    explicit = {"APC-A": "CD105", "tube 2": "hla-dr"}
    assert channel_markers(channels, explicit) == [(0, ("CD105",)), (1, ("HLA-DR",))]


def test_height_and_width_duplicates_of_an_area_channel_are_left_out() -> None:
    channels = _channels(("APC-A", "CD73"), ("APC-H", "CD73"), ("PE-H", "CD90"), ("PE-W", "CD45"))
    assert channel_markers(channels, {}) == [(0, ("CD73",)), (2, ("CD90",)), (3, ("CD45",))]
