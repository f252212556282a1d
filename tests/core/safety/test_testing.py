"""Donor testing windows (Directive 2006/17/EC, Annex II 2.4-2.7) at their exact boundaries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from stromalab.core.safety.testing import (
    Problem,
    Sample,
    WindowRules,
    assess,
    load_rules,
    rules_for,
)
from stromalab.core.yamlsource import SourceError

FOLDER = Path(__file__).resolve().parents[3] / "protocols" / "NCT05947682"
RULES = rules_for(FOLDER)
D = dt.date(2026, 3, 2)
TESTS = ("HIV", "HBsAg", "anti-HBc", "anti-HCV", "syphilis")


def _on(offset: int, nat: bool = False, result: str = "", tests: tuple[str, ...] = TESTS) -> dict[str, Sample]:
    return {t: Sample(t, D + dt.timedelta(days=offset), nat, result) for t in tests}


def _problems(a: object) -> set[tuple[str, str]]:
    return {(f.problem.value, f.test) for f in a.findings}  # type: ignore[attr-defined]


def test_the_protocol_file_states_the_directive_windows() -> None:
    assert WindowRules(TESTS, (("HIV", ("HIV",)), ("HBV", ("HBsAg", "anti-HBc")), ("HCV", ("anti-HCV",))),
                                 True, 7, 30, 180) == RULES


@pytest.mark.parametrize(("offset", "inside"), [(-30, True), (-31, False), (0, True), (7, True), (8, False)])
def test_donation_sample_window_when_a_repeat_is_required(offset: int, inside: bool) -> None:
    assert RULES is not None
    a = assess(RULES, D, _on(offset), _on(180, result="negative"))
    assert a.repeat_required and a.repeat_due == D + dt.timedelta(days=180)
    assert a.window == (D - dt.timedelta(days=30), D + dt.timedelta(days=7))
    assert a.ok is inside
    if not inside:
        assert _problems(a) == {("outside_window", t) for t in TESTS}


@pytest.mark.parametrize(("offset", "ok"), [(180, True), (179, False)])
def test_repeat_after_180_days_not_179(offset: int, ok: bool) -> None:
    assert RULES is not None
    a = assess(RULES, D, _on(0), _on(offset, result="negative"))
    assert a.ok is ok
    if not ok:
        assert {f.problem for f in a.findings} == {Problem.REPEAT_EARLY}
        assert a.findings[0].earliest == D + dt.timedelta(days=180)


def test_repeat_missing_then_not_negative() -> None:
    assert RULES is not None
    missing = assess(RULES, D, _on(0), {})
    assert _problems(missing) == {("repeat_missing", t) for t in TESTS}
    positive = assess(RULES, D, _on(0), {**_on(200, result="negative"), "HIV": Sample("HIV", D + dt.timedelta(days=200),
                                                                                      result="positive")})
    assert _problems(positive) == {("repeat_result", "HIV")}


@pytest.mark.parametrize(("offset", "ok"), [(0, True), (7, True), (8, False), (-1, False)])
def test_nat_on_the_donation_sample_spares_the_repeat_only_from_day_0_to_7(offset: int, ok: bool) -> None:
    assert RULES is not None
    a = assess(RULES, D, _on(offset, nat=True), {})
    assert a.nat_exempt is ok and a.repeat_required is not ok
    assert a.ok is ok
    if offset == -1:  # a NAT before the donation: the wide window applies, and the repeat is due
        assert _problems(a) == {("repeat_missing", t) for t in TESTS}


def test_nat_must_cover_every_virus() -> None:
    assert RULES is not None
    samples = {**_on(0, nat=True), "anti-HCV": Sample("anti-HCV", D, nat=False)}
    a = assess(RULES, D, samples, {})
    assert not a.nat_exempt and a.repeat_required
    hbv_by_core_antibody = {**_on(0, nat=True), "HBsAg": Sample("HBsAg", D, nat=False)}
    assert assess(RULES, D, hbv_by_core_antibody, {}).nat_exempt


def test_no_long_term_storage_means_donation_window_only() -> None:
    assert RULES is not None
    short = WindowRules(RULES.tests, RULES.nat, False, 7, 30, 180)
    assert assess(short, D, _on(7), {}).ok
    a = assess(short, D, _on(-1), {})
    assert not a.repeat_required and _problems(a) == {("outside_window", t) for t in TESTS}


def test_missing_sample_dates_are_named() -> None:
    assert RULES is not None
    a = assess(RULES, D, _on(0, tests=("HIV",)), _on(180, result="negative"))
    assert _problems(a) == {("missing", t) for t in TESTS if t != "HIV"}


def test_bad_files_are_refused_with_their_line(tmp_path: Path) -> None:
    folder = tmp_path / "NCT05947682"
    folder.mkdir()
    text = (FOLDER / "donor-testing.yaml").read_text(encoding="utf-8")
    (folder / "donor-testing.yaml").write_text(text.replace("days_after_donation: 180", "days_after_donation: -1"),
                                               encoding="utf-8")
    with pytest.raises(SourceError, match=r"donor-testing.yaml:\d+: donor_testing.repeat_sample.days_after_donation"):
        load_rules(folder / "donor-testing.yaml")
    (folder / "donor-testing.yaml").write_text(text.replace("HCV: [anti-HCV]", "HCV: [anti-HEV]"), encoding="utf-8")
    with pytest.raises(SourceError, match=r"donor_testing\.nat\.HCV"):
        load_rules(folder / "donor-testing.yaml")
    assert rules_for(tmp_path) is None
