"""A request that changed the study counts the dashboard's figures after its response is out, for
the dashboards viewed lately: the next dashboard finds them ready instead of counting them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stromalab.web.donors.actions import register_donor
from tests.web.conftest import eligible_data
from tests.web.screening.test_live_preview import form_fields


def _dashboard_after_a_save(study: Any, make_user: Any, client_as: Any) -> list[str]:
    """The SQL of the investigator's dashboard opened after a coordinator's screening save."""
    coordinator = make_user("coordinator")
    donor = register_donor(study=study, identity={"last_name": "Martin", "first_name": "Claire"},
                           acting_user=coordinator)
    viewer = client_as("investigator")
    viewer.get("/")
    assert viewer.get("/").status_code == 200  # viewed lately, in English
    saver = client_as("coordinator", coordinator)
    assert saver.post(f"/screening/{donor.pseudonym}/", form_fields(eligible_data())).status_code == 302
    with CaptureQueriesContext(connection) as dashboard:
        page = viewer.get("/").content.decode()
    assert "Donors to screen" in page
    return [q["sql"] for q in dashboard.captured_queries]


@pytest.mark.django_db(transaction=True)  # the figures are counted once the save has committed
def test_the_save_counted_the_figures_and_the_dashboard_only_reads_them(
        study: Any, make_user: Any, client_as: Any, settings: Any) -> None:
    settings.STROMALAB_COUNT_AFTER_CHANGE = True
    queries = _dashboard_after_a_save(study, make_user, client_as)
    assert not [sql for sql in queries if "COUNT(" in sql.upper() or "screening_screening" in sql]


@pytest.mark.django_db(transaction=True)
def test_without_it_the_next_dashboard_counts(study: Any, make_user: Any, client_as: Any, settings: Any) -> None:
    settings.STROMALAB_COUNT_AFTER_CHANGE = False  # a cache per process (runserver, tests)
    queries = _dashboard_after_a_save(study, make_user, client_as)
    assert [sql for sql in queries if "COUNT(" in sql.upper()]


def test_a_failed_count_after_the_response_is_logged_not_raised(study: Any, settings: Any, monkeypatch: Any,
                                                                caplog: Any) -> None:
    from stromalab.web.dashboard import precount

    settings.STROMALAB_COUNT_AFTER_CHANGE = True

    def broken(study: Any) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(precount, "count_wanted", broken)
    precount.note_change()
    precount.count_after_response()
    assert "not counted after a change" in caplog.text
    precount.count_after_response()  # once per change: nothing pending any more
    assert caplog.text.count("not counted after a change") == 1
