"""Every request leaves one JSON line: request id, method, path, status, duration, user id;
never a donor's identity, a username or a query string."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from stromalab.web.request_log import JsonLineFormatter


@pytest.fixture()
def lines(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.INFO, logger="stromalab.request")
    logger = logging.getLogger("stromalab.request")
    logger.addHandler(caplog.handler)  # the logger does not propagate to the root
    formatter = JsonLineFormatter()
    yield lambda: [json.loads(formatter.format(r)) for r in caplog.records if r.name == "stromalab.request"]
    logger.removeHandler(caplog.handler)


def test_a_page_request_is_one_json_line_without_identity(client_as: Any, eligible_donor: Any, lines: Any) -> None:
    donor = eligible_donor()
    client = client_as("investigator")
    response = client.get("/donors/", {"q": donor.identity.last_name})
    (line,) = lines()
    assert response["X-Request-ID"] == line["request_id"]
    assert line["method"] == "GET" and line["path"] == "/donors/" and line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["user_id"] == response.wsgi_request.user.pk
    assert line["level"] == "INFO" and line["time"].endswith("Z")
    text = json.dumps(line)
    assert donor.identity.last_name not in text and response.wsgi_request.user.username not in text


def test_a_plain_request_id_from_the_proxy_is_kept_and_anything_else_replaced(client: Any, lines: Any) -> None:
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c21").headers["X-Request-ID"] == "lb-7f3a9c21"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID='x"}\n{"admin":true').headers["X-Request-ID"]
    assert len(forged) == 32 and forged.isalnum()
    assert [line["user_id"] for line in lines()] == [None, None]
