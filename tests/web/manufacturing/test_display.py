"""Recorded step values read as on paper, on the batch page and in the batch record."""

from __future__ import annotations

import pytest

from stromalab.web.manufacturing.display import display_value


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "—"),
        ("", "—"),
        ([], "—"),
        ("2026-11-06T14:21:00.000000Z", "2026-11-06 15:21 CET"),  # the site's zone (Europe/Paris)
        ("2026-11-06T15:21:00+01:00", "2026-11-06 15:21 CET"),
        ("2026-07-06T06:30:00Z", "2026-07-06 08:30 CEST"),
        ("2026-11-06T14:21", "2026-11-06 14:21"),
        ("2026-11-06", "2026-11-06"),
        ("T175", "T175"),
        (52.5, "52.5"),
        (["A0", "B0"], "A0, B0"),
        ([{"container": "G123426000001 S1234 A0", "position": "A1"}], "G123426000001 S1234 A0 → A1"),
        ({"systolic": 120, "diastolic": 80}, "systolic 120, diastolic 80"),
    ],
)
def test_display_value(value: object, shown: str) -> None:
    assert display_value(value) == shown
