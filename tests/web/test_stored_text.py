"""The same text is stored or refused on SQLite and PostgreSQL alike: no NUL, no lone surrogate,
no value longer than its field, whatever the path (API, action, page); never a server error."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from stromalab.web.donors import actions
from stromalab.web.donors.models import Donor

BAD = [
    ("x" * 100_000, "at most 150 characters"),
    ("Mar\x00tin", "NUL character"),
]


@pytest.mark.parametrize(("surname", "problem"), BAD)
def test_the_api_refuses_what_one_engine_could_not_store(surname: str, problem: str, client_as: Any,
                                                           study: Any) -> None:
    client = client_as("coordinator")
    response = client.post("/api/donors/donors", json.dumps({"last_name": surname, "first_name": "Claire"}),
                           content_type="application/json")
    assert response.status_code == 400, response.content
    assert problem in " ".join(response.json()["detail"])
    assert not Donor.objects.exists()


def test_a_lone_surrogate_is_a_clear_refusal_not_a_server_error(client_as: Any, study: Any) -> None:
    client = client_as("coordinator")
    body = '{"last_name": "\\ud800", "first_name": "Claire"}'  # valid JSON, unstorable text
    response = client.post("/api/donors/donors", body, content_type="application/json")
    assert response.status_code == 400
    assert "lone surrogate" in " ".join(response.json()["detail"])
    assert not Donor.objects.exists()


def test_every_path_meets_the_same_floor(make_user: Any, study: Any) -> None:
    coordinator = make_user("coordinator")
    with pytest.raises(ValidationError) as refused:
        actions.register_donor(study=study, identity={"last_name": "y" * 151, "first_name": "A"},
                               acting_user=coordinator)
    assert refused.value.message_dict == {"last_name": ["at most 150 characters (got 151)"]}
    donor = actions.register_donor(study=study, identity={"last_name": "y" * 150, "first_name": "A"},
                                   acting_user=coordinator)
    assert donor.identity.last_name == "y" * 150
