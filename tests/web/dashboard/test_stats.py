"""The dashboard's figures (page and API share ``study_summary``): each count against rows made
to fall in it or just outside it (voided donor, withdrawn donor, closed query, another study),
and the failing / unknown criteria as the screenings' cached results say, in the protocol's order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from stromalab.web.dashboard.stats import study_summary
from stromalab.web.donors.models import Donor, Study
from stromalab.web.screening.models import DataQuery, Screening

from .conftest import World, results

pytestmark = pytest.mark.django_db


@pytest.fixture()
def population(world: World, make_user: Callable[..., Any]) -> dict[str, Any]:
    now = timezone.now()
    w = world
    w.donor()  # registered, not screened
    w.donor("eligible", enrolled=True)
    w.donor("eligible", withdrawn_at=now)
    w.donor("ineligible", result_status={"E20": "fail", "E2": "fail"})
    w.donor("ineligible", result_status={"E11": "fail", "E20": "fail", "I1": "unknown"})
    w.donor("ineligible", result_status={"I1": "fail"}, voided_at=now, void_reason="duplicate")  # not counted
    incomplete = w.donor("incomplete", result_status={"I1": "unknown", "E20": "unknown"})
    w.donor("incomplete", result_status={"E2": "unknown"}, as_of=False)
    w.donor("incomplete", result_status={"E11": "unknown"}, voided_at=now, void_reason="duplicate")  # not counted
    for status in (DataQuery.OPEN, DataQuery.ANSWERED, DataQuery.CLOSED):
        w.query(incomplete, status)
    other = Study.objects.create(id="OTHER-1", title="Another study", enrollment_target=3)
    Screening.objects.create(donor=Donor.objects.create(study=other, sequence=1, pseudonym="OTHER-1-00001",
                                                        created_by=w.user),
                             verdict="ineligible", results=results(I1="fail"))
    return {"study": w.study}


def test_summary_counts_each_figure(population: dict[str, Any]) -> None:
    s = study_summary(population["study"])
    study = population["study"]
    assert (s["study"], s["title"], s["target"]) == (study.id, study.title, 6)
    assert s["registered"] == 7  # 9 donors of the study, 2 voided
    assert s["screened"] == 5  # 6 screenings of non-voided donors, one without a screening date
    assert (s["eligible"], s["ineligible"], s["withdrawn"], s["enrolled"]) == (2, 2, 1, 1)
    assert s["open_queries"] == 2  # open and answered, not closed
    assert s["ineligible_by_criterion"] == {"E2": 1, "E11": 1, "E20": 2}
    assert s["unknown_count"] == 2
    assert sorted(s["unknown_criteria"], key=lambda d: d["donor"]) == [
        {"donor": f"{study.id}-T0007", "unknown": ["I1", "E20"]},
        {"donor": f"{study.id}-T0008", "unknown": ["E2"]},
    ]


def test_criteria_in_the_order_of_eligibility_yaml_not_by_text_or_frequency(world: World) -> None:
    # text order would be E11, E2, E20; frequency order E20, E11, E2
    for failing in ({"E20": "fail"}, {"E20": "fail"}, {"E20": "fail", "E11": "fail"}, {"E11": "fail"},
                    {"E2": "fail"}):
        world.donor("ineligible", result_status=failing)
    s = study_summary(world.study)
    assert list(s["ineligible_by_criterion"].items()) == [("E2", 1), ("E11", 2), ("E20", 3)]


def test_ids_the_protocol_does_not_know_come_last_sorted(world: World) -> None:
    world.donor("ineligible", result_status={"E11": "fail"})
    Screening.objects.filter(donor__study=world.study).update(results=[
        {"id": cid, "status": "fail"} for cid in ("X9", "E11", "X10")])
    assert list(study_summary(world.study)["ineligible_by_criterion"]) == ["E11", "X10", "X9"]


def test_unknown_list_capped(world: World) -> None:
    for _n in range(22):
        world.donor("incomplete", result_status={"I1": "unknown"})
    s = study_summary(world.study)
    assert s["unknown_count"] == 22
    assert len(s["unknown_criteria"]) == 20
    assert all(d["unknown"] == ["I1"] for d in s["unknown_criteria"])


def test_no_study() -> None:
    assert study_summary(None) == {"study": None}


def test_page_and_api_show_the_summary(population: dict[str, Any], client_as: Callable[..., Any]) -> None:
    client = client_as("investigator")
    page = client.get("/").content.decode()
    assert 'id="open-queries">2<' in page
    assert page.index('data-criterion="E2"') < page.index('data-criterion="E11"') < page.index('data-criterion="E20"')
    body = client.get("/api/dashboard/summary").json()
    assert body["ineligible"] == 2
    assert list(body["ineligible_by_criterion"]) == ["E2", "E11", "E20"]
    assert body["screening_log"][0] == {"step": "registered", "count": 7, "excluded": {}}
