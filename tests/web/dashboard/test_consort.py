"""The screening log in CONSORT style on a small study: each step counts the donors who passed
every step before it, and each donor who did not go further is counted once, under why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from stromalab.web.dashboard.stats import study_summary

from .conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture()
def funnel(world: World) -> World:
    w, now = world, timezone.now()
    w.donor()  # not screened
    w.donor()  # not screened
    w.donor("incomplete", as_of=False)  # started, no screening date: not screened
    w.donor("incomplete")  # screened, incomplete
    w.donor("ineligible", result_status={"E2": "fail"})
    w.donor("ineligible", result_status={"E20": "fail"}, consent="signed")
    w.donor("eligible")  # no consent recorded
    w.donor("eligible", consent="refused")
    w.donor("eligible", consent="withdrawn", withdrawn_at=now)
    w.donor("eligible", consent="signed", enrolled=True, withdrawn_at=now)  # withdrew after enrolling
    w.donor("eligible", consent="signed")  # awaiting enrollment
    w.donor("eligible", consent="signed", enrolled=True)  # awaiting harvest
    w.donor("eligible", consent="signed", enrolled=True, donated=True)
    w.donor("eligible", consent="signed", enrolled=True, donated=True)
    w.donor("eligible", consent="signed", enrolled=True, donated=True, voided_at=now)  # not counted
    return w


def test_each_step_and_why_donors_fell_out(funnel: World) -> None:
    log = {st.key: st for st in study_summary(funnel.study)["screening_log"]}
    assert [(k, st.count) for k, st in log.items()] == [
        ("registered", 14), ("screened", 11), ("eligible", 8), ("consented", 4), ("enrolled", 3), ("donated", 2)]
    excluded = {k: {e.key: e.count for e in st.excluded} for k, st in log.items()}
    assert excluded == {
        "registered": {},
        "screened": {"not_screened": 3},
        "eligible": {"ineligible": 2, "incomplete": 1},
        "consented": {"withdrawn": 2, "refused": 1, "no_consent": 1},
        "enrolled": {"awaiting_enrollment": 1},
        "donated": {"awaiting_harvest": 1},
    }


def test_full_study_says_so(world: World) -> None:
    for _n in range(6):
        world.donor("eligible", consent="signed", enrolled=True)
    world.donor("eligible", consent="signed")
    log = {st.key: st for st in study_summary(world.study)["screening_log"]}
    assert [(e.key, e.count) for e in log["enrolled"].excluded] == [("study_full", 1)]


def test_the_page_shows_the_log_in_both_languages(funnel: World, client_as: Callable[..., Any]) -> None:
    client = client_as("coordinator")
    page = client.get("/").content.decode()
    assert '<tr data-step="donated"><th>Donated</th><td class="count">2</td>' in page
    assert '<span data-excluded="refused">1 consent refused</span>' in page
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    page = client.get("/").content.decode()
    assert '<span data-excluded="refused">1 consentement refusé</span>' in page
    assert "Registre de sélection" in page
