"""A result out of specification is recorded, but never announced in a green success banner."""

from __future__ import annotations

import datetime as dt
from typing import Any


def test_an_out_of_specification_result_is_a_warning(batch: Any, analyst: Any, client_as: Any) -> None:
    client = client_as("qc_analyst", analyst)
    url = f"/quality/batches/{batch.code}/results/"
    today = dt.date.today().isoformat()
    failed = client.post(url, {"test_id": "viability", "value": "50", "performed_on": today},
                         follow=True).content.decode()
    assert '<li class="warning" role="alert">Result recorded: Viability' in failed
    passed = client.post(url, {"test_id": "endotoxin", "value": "0.5", "performed_on": today},
                         follow=True).content.decode()
    assert '<li class="success" role="status">Result recorded: Endotoxin' in passed
