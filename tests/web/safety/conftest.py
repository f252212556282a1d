"""Fixtures for donor safety: a batch in quarantine whose QC results all pass (so that only the
donor testing windows can block its release), from a donation made ``days_ago``."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.web.quality.conftest import enter_all

_seq = itertools.count(1)
#: the donation sample of every test on the donation day
TESTS = ("HIV", "HBsAg", "anti-HBc", "anti-HCV", "syphilis")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Texts built outside a request read in English, whatever an earlier request activated."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.STROMALAB_MEDIA_DIR = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture()
def make_donation_batch(eligible_donor: Callable[..., Any], make_user: Callable[..., Any]) -> Callable[..., Any]:
    """Factory: a batch of a donation made ``days_ago`` (at noon, site time), filled into two
    containers, in quarantine, every QC result passing; no infection sample recorded."""
    from django.db import transaction
    from django.utils import timezone

    from stromalab.web.manufacturing.models import Batch, Container, Donation

    operator = make_user("operator")
    analyst = make_user("qc_analyst")

    def make(days_ago: int = 0) -> Any:
        donor = eligible_donor(sign=True)
        n = 900 + next(_seq)
        din = f"G1234{dt.date.today():%y}{n:06d}"
        day = timezone.localdate() - dt.timedelta(days=days_ago)
        collected = timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
        with transaction.atomic():
            donation = Donation.objects.create(donor=donor, din=din, fin="G1234", year=int(din[5:7]),
                                               sequence=n, collected_at=collected, created_by=operator)
            batch = Batch.objects.create(donation=donation, code=din, din=din, status="quarantine",
                                         product_code="S1234", product_description="MSC(AT) for infusion",
                                         created_by=operator)
            for i in range(2):
                Container.objects.create(batch=batch, din=din, division=f"A{i}", product_code="S1234",
                                         product_description="MSC(AT)")
        enter_all(batch, analyst)
        return batch

    make.investigator = eligible_donor.investigator  # type: ignore[attr-defined]
    make.coordinator = eligible_donor.coordinator  # type: ignore[attr-defined]
    return make


def samples_on(day: dt.date, *, nat: bool = False, result: str = "") -> dict[str, dict[str, Any]]:
    """Every windowed test sampled on ``day`` (NAT on the tests that carry it when ``nat``)."""
    return {t: {"sampled_on": day.isoformat(), "nat": nat and t in ("HIV", "HBsAg", "anti-HCV"),
                "result": result} for t in TESTS}
