"""The API's Idempotency-Key: a POST repeated with the same key runs once, answered the same."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any

import pytest

from stromalab.web.screening.models import DataQuery

pytestmark = pytest.mark.django_db(transaction=True)

QUERY = {"criterion_id": "E6", "text": "Please confirm the answer to E6."}


def _post(url: str, token: str, data: Any, key: str | None = None) -> tuple[int, str, dict[str, str]]:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(url, data=json.dumps(data).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


@pytest.fixture()
def setting(study: Any, make_user: Any) -> dict[str, Any]:
    from stromalab.web.accounts.actions import create_api_token
    from stromalab.web.donors import actions

    donor = actions.register_donor(study=study, identity={"last_name": "A", "first_name": "B"},
                                   acting_user=make_user("coordinator"))
    manager, other = make_user("data_manager"), make_user("data_manager")
    return {"pseudonym": donor.pseudonym,
            "token": create_api_token(acting_user=manager, label="script"),
            "other_token": create_api_token(acting_user=other, label="script")}


def test_ten_simultaneous_posts_with_one_key_open_one_query(live_server: Any, setting: dict[str, Any]) -> None:
    url = f"{live_server.url}/api/screening/donors/{setting['pseudonym']}/queries"
    barrier = threading.Barrier(10)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def send() -> None:
        barrier.wait()
        status, body, _headers = _post(url, setting["token"], QUERY, key="retry-7f3a")
        with lock:
            answers.append((status, body))

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    query = DataQuery.objects.get()
    assert len(answers) == 10 and len(set(answers)) == 1, answers
    status, body = answers[0]
    assert status == 201 and json.loads(body)["id"] == query.pk


def test_a_key_is_the_callers_own_and_bound_to_its_body(live_server: Any, setting: dict[str, Any]) -> None:
    url = f"{live_server.url}/api/screening/donors/{setting['pseudonym']}/queries"
    status, first, _ = _post(url, setting["token"], QUERY, key="k1")
    assert status == 201
    status, again, headers = _post(url, setting["token"], QUERY, key="k1")
    assert (status, again, headers.get("Idempotent-Replayed")) == (201, first, "true")
    status, body, _ = _post(url, setting["token"], {**QUERY, "text": "Another question"}, key="k1")
    assert status == 422 and "Idempotency-Key" in body
    # another caller's same key is another request: refused here as the same open query
    status, body, _ = _post(url, setting["other_token"], QUERY, key="k1")
    assert status == 400 and "already open" in body
    assert DataQuery.objects.count() == 1


def test_a_refused_request_frees_its_key_for_the_corrected_one(live_server: Any, setting: dict[str, Any]) -> None:
    url = f"{live_server.url}/api/screening/donors/{setting['pseudonym']}/queries"
    status, _, _ = _post(url, setting["token"], {**QUERY, "text": "  "}, key="k2")
    assert status == 400
    status, _, _ = _post(url, setting["token"], QUERY, key="k2")
    assert status == 201 and DataQuery.objects.count() == 1


def test_a_malformed_key_is_refused(live_server: Any, setting: dict[str, Any]) -> None:
    url = f"{live_server.url}/api/screening/donors/{setting['pseudonym']}/queries"
    status, body, _ = _post(url, setting["token"], QUERY, key="x" * 256)
    assert status == 400 and "Idempotency-Key" in body and not DataQuery.objects.exists()


def test_the_header_is_documented(client_as: Any) -> None:
    schema = client_as("coordinator").get("/api/openapi.json").json()
    assert "Idempotency-Key" in schema["info"]["description"]
