"""The dashboard's figures (page and API share ``study_summary``): each count against rows made
to fall in it or just outside it (voided donor, withdrawn donor, closed query, another study),
and the failing / unknown criteria as the screenings' cached results say."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from stromalab.web.dashboard.stats import study_summary
from stromalab.web.donors.models import Donor, Study
from stromalab.web.screening.models import DataQuery, Screening

pytestmark = pytest.mark.django_db


def _results(**status: str) -> list[dict[str, Any]]:
    """Cached engine results: C1..C4 pass unless given another status."""
    return [{"id": cid, "status": status.get(cid, "pass"), "reason": "", "discrepancy": False}
            for cid in ("C1", "C2", "C3", "C4")]


@pytest.fixture()
def population(study: Any, make_user: Callable[..., Any]) -> dict[str, Any]:
    user = make_user("coordinator")
    seq = iter(range(1, 100))

    def donor(verdict: str | None = None, results: list[dict[str, Any]] | None = None, as_of: bool = True,
              **fields: Any) -> Donor:
        n = next(seq)
        d = Donor.objects.create(study=study, sequence=n, pseudonym=f"{study.id}-T{n:03d}", created_by=user,
                                 **fields)
        if verdict is not None:
            Screening.objects.create(donor=d, verdict=verdict, results=results or _results(),
                                     as_of=timezone.now().date() if as_of else None)
        return d

    now = timezone.now()
    donor()  # registered, not screened
    eligible = donor("eligible")
    donor("eligible", withdrawn_at=now)
    donor("ineligible", _results(C2="fail", C3="fail"))
    donor("ineligible", _results(C3="fail", C4="unknown"))
    donor("ineligible", _results(C1="fail"), voided_at=now, void_reason="duplicate")  # not counted
    incomplete = donor("incomplete", _results(C1="unknown", C4="unknown"))
    donor("incomplete", _results(C2="unknown"), as_of=False)
    donor("incomplete", _results(C3="unknown"), voided_at=now, void_reason="duplicate")  # not counted
    slot = study.slots.order_by("number").first()
    slot.donor = eligible
    slot.save()
    screening = Screening.objects.get(donor=incomplete)
    for status in (DataQuery.OPEN, DataQuery.ANSWERED, DataQuery.CLOSED):
        DataQuery.objects.create(screening=screening, text="check", status=status, opened_by=user)
    other = Study.objects.create(id="OTHER-1", title="Another study", enrollment_target=3)
    Screening.objects.create(donor=Donor.objects.create(study=other, sequence=1, pseudonym="OTHER-1-00001",
                                                        created_by=user),
                             verdict="ineligible", results=_results(C1="fail"))
    return {"study": study}


def test_summary_counts_each_figure(population: dict[str, Any]) -> None:
    s = study_summary(population["study"])
    study = population["study"]
    assert (s["study"], s["title"], s["target"]) == (study.id, study.title, study.enrollment_target)
    assert s["registered"] == 7  # 9 donors of the study, 2 voided
    assert s["screened"] == 5  # 6 screenings of non-voided donors, one without a screening date
    assert (s["eligible"], s["ineligible"], s["withdrawn"], s["enrolled"]) == (2, 2, 1, 1)
    assert s["open_queries"] == 2  # open and answered, not closed
    assert s["ineligible_by_criterion"] == {"C3": 2, "C2": 1}
    assert list(s["ineligible_by_criterion"]) == ["C3", "C2"]  # most frequent first
    assert s["unknown_count"] == 2
    assert sorted(s["unknown_criteria"], key=lambda d: d["donor"]) == [
        {"donor": f"{study.id}-T007", "unknown": ["C1", "C4"]},
        {"donor": f"{study.id}-T008", "unknown": ["C2"]},
    ]


def test_ties_sorted_by_criterion_and_unknown_list_capped(study: Any, make_user: Callable[..., Any]) -> None:
    user = make_user("coordinator")
    for n in range(1, 206):
        d = Donor.objects.create(study=study, sequence=n, pseudonym=f"{study.id}-U{n:03d}", created_by=user)
        results = _results(C4="fail", C2="fail") if n <= 3 else _results(C1="unknown")
        Screening.objects.create(donor=d, verdict="ineligible" if n <= 3 else "incomplete", results=results)
    s = study_summary(study)
    assert list(s["ineligible_by_criterion"].items()) == [("C2", 3), ("C4", 3)]
    assert s["unknown_count"] == 202
    assert len(s["unknown_criteria"]) == 200
    assert all(d["unknown"] == ["C1"] for d in s["unknown_criteria"])


def test_no_study() -> None:
    assert study_summary(None) == {"study": None}


def test_page_and_api_show_the_summary(population: dict[str, Any], client_as: Callable[..., Any]) -> None:
    client = client_as("investigator")
    page = client.get("/").content.decode()
    assert 'id="open-queries">2<' in page and "C3" in page
    assert client.get("/api/dashboard/summary").json()["ineligible"] == 2
