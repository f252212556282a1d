"""Recording the sample dates of a donation's infection tests, and keeping its repeat visit in step.

The donation sample of every test of the screening's serology carries its date (and, for the
tests that carry a virus's NAT, whether NAT was also done); the repeat sample of each test the
protocol's windows name carries its date and result. A date once recorded is corrected, never
removed, with a reason. After each change the windows are applied again and the repeat visit
(due 180 days after the donation) is scheduled, marked recorded, or marked not needed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stromalab.core.safety.testing import Problem
from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_changes, record_event
from stromalab.web.audit.kinds import EventKind
from stromalab.web.donors.actions import assert_data_entry_allowed
from stromalab.web.manufacturing.models import Donation
from stromalab.web.screening.models import SEROLOGY_RESULTS, SEROLOGY_TESTS

from .. import models as m
from .. import windows
from ..permissions import SAMPLE_ENTRY

#: how long before the donation a donation sample may be dated at all (the windows then judge it)
EARLIEST_DAYS = 365


def visit_tests(donation: Donation, visit: str) -> tuple[str, ...]:
    """The tests whose samples ``visit`` records: every serology test at the donation, the
    windows' tests for the repeat (none when the study states no windows)."""
    if visit == m.InfectionSample.DONATION:
        return SEROLOGY_TESTS
    rules = windows.rules(donation.donor.study_id)
    return rules.tests if rules is not None else ()


def labels(tests: tuple[str, ...]) -> dict[str, str]:
    """The human label of each field key of :func:`record_samples`."""
    out = {}
    for test in tests:
        out[f"{test}.sampled_on"] = _("%(test)s: sample date") % {"test": test}
        out[f"{test}.nat"] = _("%(test)s: also tested by NAT") % {"test": test}
        out[f"{test}.result"] = _("%(test)s: result") % {"test": test}
    return out


@transaction.atomic(durable=True)
def record_samples(*, donation: Donation, visit: str, samples: Mapping[str, Mapping[str, Any]],
                   acting_user: Any, reason: str = "") -> m.RepeatVisit | None:
    """Record the ``visit``'s samples (test -> ``sampled_on``, ``nat``, ``result``) of the
    donation; refusals are keyed ``<test>.sampled_on``, ``<test>.nat`` or ``<test>.result``.
    Returns the donation's repeat visit as rescheduled (None when it needs none)."""
    check_role(acting_user, SAMPLE_ENTRY)
    donation = Donation.objects.select_for_update().select_related("donor").get(pk=donation.pk)
    assert_data_entry_allowed(donation.donor)
    if visit not in dict(m.InfectionSample.VISITS):
        raise ValidationError({"visit": _("must be the donation sample or the repeat sample")})
    tests = visit_tests(donation, visit)
    unknown = sorted(set(samples) - set(tests))
    if unknown:
        raise ValidationError({"visit": _("no sample of %(tests)s is recorded at this visit")
                               % {"tests": ", ".join(unknown)}})
    rules = windows.rules(donation.donor.study_id)
    nat_tests = rules.nat_tests if rules is not None and visit == m.InfectionSample.DONATION else frozenset()
    stored = windows.samples(donation, visit)
    for test in tests:
        values = samples.get(test)
        if values is not None:
            _apply(donation, visit, test, values, stored.get(test), nat_tests, reason, acting_user)
    return _reschedule(donation, acting_user)


def _apply(donation: Donation, visit: str, test: str, values: Mapping[str, Any],
           sample: m.InfectionSample | None, nat_tests: frozenset[str], reason: str, acting_user: Any) -> None:
    """Create or correct one test's sample from ``values``, audited."""
    sampled_on = _sample_date(donation, visit, test, values.get("sampled_on"))
    nat = bool(values.get("nat"))
    result = values.get("result") or ""
    if nat and test not in nat_tests:
        raise ValidationError({f"{test}.nat": _("NAT is recorded only on the donation sample of the "
                                                "tests that carry the NAT of HIV, HBV or HCV")})
    if visit == m.InfectionSample.REPEAT and result not in dict(SEROLOGY_RESULTS):
        raise ValidationError({f"{test}.result": _("choose the result of the repeat sample")})
    if visit == m.InfectionSample.DONATION and result:
        raise ValidationError({f"{test}.result": _("the donation sample's result is the screening's "
                                                   "serology")})
    if sampled_on is None:
        if sample is not None:
            raise ValidationError({f"{test}.sampled_on": _("a recorded sample date cannot be removed; "
                                                           "correct it, with a reason")})
        if nat or result:
            raise ValidationError({f"{test}.sampled_on": _("a sample date is required")})
        return
    if sample is None:
        sample = m.InfectionSample.objects.create(donation=donation, visit=visit, test=test,
                                                  sampled_on=sampled_on, nat=nat, result=result,
                                                  recorded_by=acting_user)
        record_event(acting_user=acting_user, action=EventKind.CREATE, record=sample,
                     new={"visit": visit, "test": test, "sampled_on": sampled_on.isoformat(), "nat": nat,
                          "result": result or None})
        return
    changes = {name: (old, new) for name, old, new in (
        ("sampled_on", sample.sampled_on.isoformat(), sampled_on.isoformat()),
        ("nat", sample.nat, nat), ("result", sample.result, result)) if old != new}
    if not changes:
        return
    if not (reason or "").strip():
        raise ValidationError({"reason": _("a reason is required to change %(test)s's sample")
                               % {"test": test}})
    record_changes(acting_user=acting_user, record=sample, changes=changes, reason=reason,
                   labels={name: f"{test}: {name}" for name in changes})
    sample.sampled_on, sample.nat, sample.result = sampled_on, nat, result
    sample.save(update_fields=["sampled_on", "nat", "result"])


def _sample_date(donation: Donation, visit: str, test: str, value: Any) -> dt.date | None:
    """The sample date as typed (ISO text or a date), bounded: never in the future, a repeat
    sample never before the donation, a donation sample at most a year before it."""
    key = f"{test}.sampled_on"
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError({key: _("expected a date YYYY-MM-DD")}) from None
    donated = windows.donated_on(donation)
    if day > timezone.localdate():
        raise ValidationError({key: _("a sample date cannot be in the future")})
    if visit == m.InfectionSample.REPEAT and day < donated:
        raise ValidationError({key: _("a repeat sample is taken after the donation (%(date)s)")
                               % {"date": donated}})
    if day < donated - dt.timedelta(days=EARLIEST_DAYS):
        raise ValidationError({key: _("more than a year before the donation (%(date)s)") % {"date": donated}})
    return day


def _reschedule(donation: Donation, acting_user: Any) -> m.RepeatVisit | None:
    """Apply the windows again and keep the donation's repeat visit in step, audited."""
    found = windows.assessment(donation)
    visit = m.RepeatVisit.objects.select_for_update().filter(donation=donation).first()
    if found is None or found.repeat_due is None:
        if visit is not None and visit.state != m.RepeatVisit.NOT_NEEDED:
            _set(visit, visit.due_on, m.RepeatVisit.NOT_NEEDED, acting_user)
        return None
    # a repeat sample taken too early must be taken again; a positive one was taken (release
    # stays blocked, the visit is done)
    awaited = any(f.problem in (Problem.REPEAT_MISSING, Problem.REPEAT_EARLY) for f in found.findings)
    state = m.RepeatVisit.DUE if awaited else m.RepeatVisit.RECORDED
    if visit is None:
        visit = m.RepeatVisit.objects.create(donation=donation, due_on=found.repeat_due, state=state)
        record_event(acting_user=acting_user, action=EventKind.CREATE, record=visit,
                     new={"due_on": found.repeat_due.isoformat(), "state": state},
                     reason="Directive 2006/17/EC, Annex II 2.5: repeat sample after the donation")
    elif (visit.due_on, visit.state) != (found.repeat_due, state):
        _set(visit, found.repeat_due, state, acting_user)
    return visit


def _set(visit: m.RepeatVisit, due_on: dt.date, state: str, acting_user: Any) -> None:
    record_changes(acting_user=acting_user, record=visit, require_reason=False,
                   reason="the infection test samples recorded changed what the windows require",
                   changes={"due_on": (visit.due_on.isoformat(), due_on.isoformat()),
                            "state": (visit.state, state)})
    visit.due_on, visit.state = due_on, state
    visit.save(update_fields=["due_on", "state"])
