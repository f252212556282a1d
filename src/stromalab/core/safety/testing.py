"""When a living donor's infection tests must be sampled (Directive 2006/17/EC, Annex II, 2.4-2.7).

The windows are the protocol folder's (``donor-testing.yaml``); this module applies them to the
sample dates of one donation and says what is missing or out of its window, as plain values the
web layer words in the reader's language. Days are calendar days and every bound is inclusive:
with a donation on day D, a donation sample is in time from D to D+7 (from D-30 when a repeat
sample is required), and a repeat sample from D+180 on.

A repeat is required when the cells are stored long-term, unless the donation sample, taken
from D to D+7, was also tested by NAT for every virus the file names (HIV, HBV, HCV): point 2.7
speaks of the sample "as defined in point 2.4", so a NAT on a sample taken before the donation
does not spare the repeat.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .source import days, load_document, mapping

FORMAT = "stromalab-donor-testing/1"
FILE_NAME = "donor-testing.yaml"


@dataclass(frozen=True)
class WindowRules:
    """The windows of one protocol: the tests they apply to and the viruses a NAT must cover."""

    tests: tuple[str, ...]
    #: (virus, tests that carry its NAT), in the file's order
    nat: tuple[tuple[str, tuple[str, ...]], ...]
    long_term_storage: bool
    days_after: int
    days_before_when_repeated: int
    repeat_after_days: int

    @property
    def nat_tests(self) -> frozenset[str]:
        """The tests whose sample may be marked as also tested by NAT."""
        return frozenset(t for _virus, tests in self.nat for t in tests)


@dataclass(frozen=True)
class Sample:
    """One test's sample: when it was taken, whether NAT was also done, the result (repeat only;
    the donation sample's result is the screening's serology)."""

    test: str
    sampled_on: dt.date
    nat: bool = False
    result: str = ""


class Problem(StrEnum):
    MISSING = "missing"  # no donation sample date yet
    OUTSIDE = "outside_window"  # donation sample taken outside its window
    REPEAT_MISSING = "repeat_missing"  # the repeat sample is not recorded yet
    REPEAT_EARLY = "repeat_early"  # repeat sampled before the interval
    REPEAT_RESULT = "repeat_result"  # repeat result not negative (or not given)


@dataclass(frozen=True)
class Finding:
    """Why one test keeps the batch from release; dates for the words the reader sees."""

    problem: Problem
    test: str
    sampled_on: dt.date | None = None
    earliest: dt.date | None = None
    latest: dt.date | None = None
    result: str = ""


@dataclass(frozen=True)
class Assessment:
    """The windows applied to one donation."""

    donated_on: dt.date
    window: tuple[dt.date, dt.date]
    repeat_required: bool
    repeat_due: dt.date | None
    nat_exempt: bool
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings


def assess(rules: WindowRules, donated_on: dt.date, donation: Mapping[str, Sample],
           repeat: Mapping[str, Sample]) -> Assessment:
    """The windows for a donation on ``donated_on``, its donation samples and repeat samples
    (by test), and every finding that keeps its batch from release, test by test."""
    strict = (donated_on, donated_on + dt.timedelta(days=rules.days_after))
    exempt = rules.long_term_storage and _nat_exempt(rules, donation, strict)
    required = rules.long_term_storage and not exempt
    window = ((donated_on - dt.timedelta(days=rules.days_before_when_repeated), strict[1])
              if required else strict)
    due = donated_on + dt.timedelta(days=rules.repeat_after_days) if required else None
    findings: list[Finding] = []
    for test in rules.tests:
        sample = donation.get(test)
        if sample is None:
            findings.append(Finding(Problem.MISSING, test, None, *window))
        elif not window[0] <= sample.sampled_on <= window[1]:
            findings.append(Finding(Problem.OUTSIDE, test, sample.sampled_on, *window))
    if due is not None:
        for test in rules.tests:
            again = repeat.get(test)
            if again is None:
                findings.append(Finding(Problem.REPEAT_MISSING, test, None, due))
            elif again.sampled_on < due:
                findings.append(Finding(Problem.REPEAT_EARLY, test, again.sampled_on, due))
            elif again.result != "negative":
                findings.append(Finding(Problem.REPEAT_RESULT, test, again.sampled_on, due, result=again.result))
    return Assessment(donated_on, window, required, due, exempt, tuple(findings))


def _nat_exempt(rules: WindowRules, donation: Mapping[str, Sample], strict: tuple[dt.date, dt.date]) -> bool:
    """Every test sampled from D to D+7, and each virus's NAT done on one of its samples."""
    def timely(sample: Sample | None) -> bool:
        return sample is not None and strict[0] <= sample.sampled_on <= strict[1]

    if not all(timely(donation.get(t)) for t in rules.tests):
        return False
    return all(any(timely(donation.get(t)) and donation[t].nat for t in tests) for _virus, tests in rules.nat)


def load_rules(path: Path) -> WindowRules:
    """The ``donor_testing`` section of ``path``, checked (:class:`SourceError` otherwise)."""
    located = load_document(path, FORMAT, ("donor_testing",))
    key = "donor_testing"
    section = mapping(located, located.value.get(key), key,
                      ("tests", "nat", "long_term_storage", "donation_sample", "repeat_sample"))
    tests = section["tests"]
    if not isinstance(tests, list) or not tests or not all(isinstance(t, str) and t for t in tests):
        raise located.error(f"{key}.tests", "must be a non-empty list of test names")
    if len(set(tests)) != len(tests):
        raise located.error(f"{key}.tests", "names a test twice")
    nat = section["nat"]
    if not isinstance(nat, dict) or not nat:
        raise located.error(f"{key}.nat", "must map each virus to the tests that carry its NAT")
    for virus, carriers in nat.items():
        if not isinstance(carriers, list) or not carriers or any(c not in tests for c in carriers):
            raise located.error(f"{key}.nat.{virus}", "must list tests of donor_testing.tests")
    if not isinstance(section["long_term_storage"], bool):
        raise located.error(f"{key}.long_term_storage", "must be true or false")
    sample = mapping(located, section["donation_sample"], f"{key}.donation_sample",
                     ("days_after", "days_before_when_repeated"))
    again = mapping(located, section["repeat_sample"], f"{key}.repeat_sample", ("days_after_donation",))
    return WindowRules(
        tests=tuple(tests), nat=tuple((str(v), tuple(c)) for v, c in nat.items()),
        long_term_storage=section["long_term_storage"],
        days_after=days(located, sample["days_after"], f"{key}.donation_sample.days_after"),
        days_before_when_repeated=days(located, sample["days_before_when_repeated"],
                                       f"{key}.donation_sample.days_before_when_repeated"),
        repeat_after_days=days(located, again["days_after_donation"],
                               f"{key}.repeat_sample.days_after_donation"))


@functools.lru_cache(maxsize=16)
def _load_once(path: str, mtime: float) -> WindowRules:
    return load_rules(Path(path))


def rules_for(folder: Path) -> WindowRules | None:
    """The windows of the protocol ``folder`` (None when it has no ``donor-testing.yaml``: its
    study states no windows), re-read only when the file changes."""
    path = folder / FILE_NAME
    if not path.is_file():
        return None
    return _load_once(str(path), path.stat().st_mtime)
