"""The quality batch list: each row's current results, open OOS and decision, read in a number
of queries that does not grow with the number of batches (it ran three per batch)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stromalab.web.quality import actions
from stromalab.web.quality.models import ReleaseDecision

pytestmark = pytest.mark.django_db


def test_rows_count_results_open_oos_and_show_the_decision(make_batch: Callable[..., Any], analyst: Any, qp: Any,
                                                           client_as: Callable[..., Any]) -> None:
    tested, decided = make_batch(), make_batch()
    for test_id, value in (("viability", "92.5"), ("cd45", "3.5"), ("endotoxin", "0.5")):
        actions.record_result(batch=tested, test_id=test_id, value=value, performed_on=dt.date.today(),
                              acting_user=analyst)
    voided = tested.qc_results.get(test_id="endotoxin")
    actions.void_result(result=voided, reason="wrong tube", acting_user=analyst)
    ReleaseDecision.objects.create(batch=decided, decision=ReleaseDecision.REJECTED, reason="test",
                                   summary_json="{}", decided_by=qp)
    client = client_as("qualified_person", user=qp)
    client.get("/")  # the first page after login refreshes the session: count the steady state

    with CaptureQueriesContext(connection) as two:
        response = client.get("/quality/")
    rows = {row["batch"].code: row for row in response.context["rows"]}
    assert (rows[tested.code]["results"], rows[tested.code]["open_oos"], rows[tested.code]["decision"]) == (2, 1, None)
    assert (rows[decided.code]["results"], rows[decided.code]["open_oos"]) == (0, 0)
    assert rows[decided.code]["decision"].decision == ReleaseDecision.REJECTED
    assert [r["batch"].code for r in response.context["rows"]] == [decided.code, tested.code]  # newest first

    make_batch()
    make_batch()
    with CaptureQueriesContext(connection) as four:
        assert len(client.get("/quality/").context["rows"]) == 4
    assert len(four.captured_queries) == len(two.captured_queries)
