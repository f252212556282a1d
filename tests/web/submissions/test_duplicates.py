"""What the domain says is one record stays one, whatever the token: a person (NIR) registered
once per study; the same data query open once on a screening."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from stdnum.fr import nir as stdnum_nir

from stromalab.web.donors import actions
from stromalab.web.donors.models import Donor
from stromalab.web.screening import actions as screening_actions
from stromalab.web.screening.models import DataQuery


def _nir(serial: str = "001") -> str:
    base = f"1850275123{serial}"
    return base + stdnum_nir.calc_check_digits(base)


@pytest.mark.django_db
def test_one_person_is_registered_once_per_study(study: Any, make_user: Any) -> None:
    coord, inv = make_user("coordinator"), make_user("investigator")
    first = actions.register_donor(study=study, identity={"last_name": "A", "first_name": "B", "nir": _nir()},
                                   acting_user=coord)
    with pytest.raises(ValidationError) as refused:
        actions.register_donor(study=study, identity={"last_name": "A", "first_name": "Bea", "nir": _nir()},
                               acting_user=coord)
    assert "already registered" in str(refused.value.message_dict["nir"])
    other = actions.register_donor(study=study, identity={"last_name": "C", "first_name": "D", "nir": _nir("002")},
                                   acting_user=coord)
    with pytest.raises(ValidationError):
        actions.update_identity(donor=other, changes={"nir": _nir()}, reason="typo", acting_user=coord)
    actions.void_donor(donor=first, reason="registered in error", acting_user=inv)
    actions.register_donor(study=study, identity={"last_name": "A", "first_name": "B", "nir": _nir()},
                           acting_user=coord)
    assert Donor.objects.count() == 3


@pytest.mark.django_db
def test_the_page_shows_the_refusal_beside_the_nir(client_as: Any, study: Any) -> None:
    client = client_as("coordinator")
    identity = {"last_name": "A", "first_name": "B", "nir": _nir()}
    client.post("/donors/new/", identity)
    page = client.post("/donors/new/", identity).content.decode()
    nir_field = page[page.index('name="nir"') - 600:page.index('name="nir"') + 300]
    assert "already registered in this study" in nir_field
    assert Donor.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_of_one_person_without_a_key_make_one_donor(
        live_server: Any, study: Any, make_user: Any) -> None:
    from stromalab.web.accounts.actions import create_api_token

    token = create_api_token(acting_user=make_user("coordinator"), label="script")
    body = json.dumps({"last_name": "A", "first_name": "B", "nir": _nir()}).encode()
    barrier = threading.Barrier(10)
    statuses: list[int] = []
    lock = threading.Lock()

    def send() -> None:
        request = urllib.request.Request(f"{live_server.url}/api/donors/donors", data=body, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert sorted(statuses) == [201] + [400] * 9
    assert Donor.objects.count() == 1


@pytest.mark.django_db
def test_the_same_query_is_open_once(study: Any, make_user: Any) -> None:
    manager = make_user("data_manager")
    donor = actions.register_donor(study=study, identity={"last_name": "A", "first_name": "B"},
                                   acting_user=make_user("coordinator"))
    first = screening_actions.open_query(donor=donor, criterion_id="E6", text="Confirm E6?", acting_user=manager)
    with pytest.raises(ValidationError) as refused:
        screening_actions.open_query(donor=donor, criterion_id="E6", text=" confirm  e6? ", acting_user=manager)
    assert "already open" in str(refused.value.message_dict["text"])
    screening_actions.open_query(donor=donor, criterion_id="E7", text="Confirm E6?", acting_user=manager)
    screening_actions.close_query(query=first, text="ok", acting_user=manager)
    second = screening_actions.open_query(donor=donor, criterion_id="E6", text="Confirm E6?", acting_user=manager)
    with pytest.raises(ValidationError, match="already open"):
        screening_actions.reopen_query(query=first, text="not ok", acting_user=manager)
    assert DataQuery.objects.exclude(status=DataQuery.CLOSED).count() == 2 and second.status == DataQuery.OPEN
