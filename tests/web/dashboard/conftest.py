"""Rows for the dashboard's tests, created directly (the actions that make them are their own
apps' tests' business): donors at each step of the screening log, batches with steps, QC
results, OOS records and deviations."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from stromalab.web.accounts.models import Signature
from stromalab.web.donors.models import Consent, Donor
from stromalab.web.manufacturing.models import Batch, Deviation, Donation, Step
from stromalab.web.quality.models import OosRecord, QcResult
from stromalab.web.quality.spec import IDENTITY_TESTS
from stromalab.web.screening.models import DataQuery, EligibilityDecision, Screening


def results(**status: str) -> list[dict[str, Any]]:
    """Cached engine results for the protocol's criteria I1, E2, E11, E20: pass unless told."""
    return [{"id": cid, "status": status.get(cid, "pass"), "reason": "", "discrepancy": False}
            for cid in ("I1", "E2", "E11", "E20")]


class World:
    """Factories over one study; every row made by ``user`` (a coordinator)."""

    def __init__(self, study: Any, make_user: Callable[..., Any]) -> None:
        self.study = study
        self.user = make_user("coordinator")
        self.operator = make_user("operator")
        self.analyst = make_user("qc_analyst")
        self._seq = itertools.count(1)

    def donor(self, verdict: str | None = None, *, as_of: bool = True, consent: str | None = None,
              enrolled: bool = False, donated: bool = False, result_status: dict[str, str] | None = None,
              **fields: Any) -> Donor:
        n = next(self._seq)
        d = Donor.objects.create(study=self.study, sequence=n, pseudonym=f"{self.study.id}-T{n:04d}",
                                 created_by=self.user, **fields)
        if verdict is not None:
            Screening.objects.create(donor=d, verdict=verdict, results=results(**(result_status or {})),
                                     as_of=timezone.now().date() if as_of else None)
        if consent is not None:
            Consent.objects.create(donor=d, sheet=self.study.information_sheets.get(), status=consent,
                                   date=dt.date.today(), recorded_by=self.user)
        if enrolled:
            slot = self.study.slots.filter(donor__isnull=True).order_by("number").first()
            slot.donor = d
            slot.save()
        if donated:
            self.donation(d)
        return d

    def donation(self, donor: Donor) -> Donation:
        n = next(self._seq)
        din = f"G1234{dt.date.today():%y}{n:06d}"
        return Donation.objects.create(donor=donor, din=din, fin="G1234", year=int(din[5:7]), sequence=n,
                                       collected_at=timezone.now(), created_by=self.operator)

    def batch(self, status: str = Batch.QUARANTINE, steps: tuple[tuple[str, int, str], ...] = (),
              donor: Donor | None = None) -> Batch:
        donation = self.donation(donor or self.donor("eligible", consent="signed"))
        batch = Batch.objects.create(donation=donation, code=donation.din, din=donation.din, status=status,
                                     product_code="S1234", product_description="MSC(AT)", created_by=self.operator)
        for kind, number, state in steps:
            Step.objects.create(batch=batch, kind=kind, number=number, state=state)
        return batch

    def result(self, batch: Batch, test_id: str, status: str = "pass") -> QcResult:
        return QcResult.objects.create(batch=batch, test_id=test_id, test_name=test_id.upper(), value="99",
                                       unit="%", method="flow cytometry", performed_on=dt.date.today(),
                                       analyst=self.analyst, specification_version="1.0", limit_text="≥ 95",
                                       status=status)

    def isct(self, batch: Batch, failing: tuple[str, ...] = (), missing: tuple[str, ...] = ()) -> None:
        for test_id in IDENTITY_TESTS:
            if test_id not in missing:
                self.result(batch, test_id, "fail" if test_id in failing else "pass")

    def oos(self, batch: Batch, test_id: str = "cd45") -> OosRecord:
        result = self.result(batch, test_id, "fail")
        return OosRecord.objects.create(batch=batch, result=result, test_id=test_id, value="7 %", limit_text="≤ 2",
                                        description="CD45 7 % outside ≤ 2", opened_by=self.analyst)

    def deviation(self, batch: Batch, status: str = Deviation.OPEN) -> Deviation:
        return Deviation.objects.create(batch=batch, check_id="receipt-delay", description="Receipt delay 30 h",
                                        reason="traffic", recorded_by=self.operator, status=status)

    def query(self, donor: Donor, status: str = DataQuery.OPEN, criterion: str = "E2") -> DataQuery:
        return DataQuery.objects.create(screening=Screening.objects.get(donor=donor), criterion_id=criterion,
                                        text="check the date", status=status, opened_by=self.user)

    def decision(self, donor: Donor, *, signed: bool = True) -> EligibilityDecision:
        screening = Screening.objects.get(donor=donor)
        signature = None
        if signed:
            signature = Signature.objects.create(signer=self.user, printed_name="Dr Test", meaning="approved",
                                                 signed_at=timezone.now(), record_type="screening.EligibilityDecision",
                                                 record_id="0", content_hash="0" * 64)
        return EligibilityDecision.objects.create(screening=screening, verdict=screening.verdict, record_json="{}",
                                                  record_hash="0" * 64, results=[], signature=signature)


@pytest.fixture()
def world(study: Any, make_user: Callable[..., Any]) -> World:
    return World(study, make_user)
