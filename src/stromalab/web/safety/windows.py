"""The testing windows of a donation, as the web layer reads them: the protocol's rules, the
donation day in the site's time zone, the samples recorded, and each finding in words (the
reader's language) for the release summary and the donor safety pages."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from stromalab.core.safety.testing import (
    FILE_NAME,
    Assessment,
    Finding,
    Problem,
    Sample,
    WindowRules,
    assess,
    rules_for,
)
from stromalab.web.manufacturing.config import study_file
from stromalab.web.manufacturing.models import Donation
from stromalab.web.screening.models import SEROLOGY_RESULTS

from . import models as m


def rules(study_id: str) -> WindowRules | None:
    """The windows of the study's protocol folder (None when it states none)."""
    return rules_for(study_file(study_id, FILE_NAME).parent)


def donated_on(donation: Donation) -> dt.date:
    """The donation day as the site reads it (the harvest time in the site's time zone)."""
    return timezone.localtime(donation.collected_at).date()


def samples(donation: Donation, visit: str) -> dict[str, m.InfectionSample]:
    """The donation's recorded samples of ``visit``, by test."""
    return samples_by_visit(donation).get(visit, {})


def samples_by_visit(donation: Donation) -> dict[str, dict[str, m.InfectionSample]]:
    """The donation's recorded samples of every visit (one read), by visit then test."""
    found: dict[str, dict[str, m.InfectionSample]] = {m.InfectionSample.DONATION: {}, m.InfectionSample.REPEAT: {}}
    for sample in m.InfectionSample.objects.filter(donation=donation):
        found.setdefault(sample.visit, {})[sample.test] = sample
    return found


def assessment(donation: Donation) -> Assessment | None:
    """The windows applied to the donation's samples (None when the study states no windows)."""
    found = rules(donation.donor.study_id)
    if found is None:
        return None

    def plain(rows: dict[str, m.InfectionSample]) -> dict[str, Sample]:
        return {t: Sample(t, s.sampled_on, s.nat, s.result) for t, s in rows.items()}

    by_visit = samples_by_visit(donation)
    return assess(found, donated_on(donation), plain(by_visit[m.InfectionSample.DONATION]),
                  plain(by_visit[m.InfectionSample.REPEAT]))


def finding_text(finding: Finding) -> str:
    """Why ``finding`` keeps the batch from release, in the active language."""
    values = {"test": finding.test, "date": finding.sampled_on, "earliest": finding.earliest,
              "latest": finding.latest,
              "result": str(dict(SEROLOGY_RESULTS).get(finding.result, finding.result or "—"))}
    texts = {
        Problem.MISSING: _("%(test)s: no sample date for the donation sample (to be taken from "
                           "%(earliest)s to %(latest)s)"),
        Problem.OUTSIDE: _("%(test)s: donation sample taken on %(date)s, outside its window "
                           "(%(earliest)s to %(latest)s)"),
        Problem.REPEAT_MISSING: _("%(test)s: the repeat sample, due from %(earliest)s, is not "
                                  "recorded yet"),
        Problem.REPEAT_EARLY: _("%(test)s: repeat sample taken on %(date)s, before %(earliest)s "
                                "(the interval after the donation)"),
        Problem.REPEAT_RESULT: _("%(test)s: the repeat sample's result is %(result)s, not negative"),
    }
    return texts[finding.problem] % values


def release_refusals(donation: Donation) -> list[str]:
    """Every reason the donation's infection tests keep its batch from release, in words."""
    found = assessment(donation)
    if found is None:
        return []
    return [_("donor infection tests: %(finding)s") % {"finding": finding_text(f)} for f in found.findings]
