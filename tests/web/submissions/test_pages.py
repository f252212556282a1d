"""A page's form does its work once per submission token, and again after a refusal."""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import re
import threading
import urllib.parse
import urllib.request
from typing import Any

import pytest

from stromalab.web.donors.models import Consent, Donor
from stromalab.web.submissions.models import Submission

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

IDENTITY = {"last_name": "Martin", "first_name": "Claire", "birth_name": "", "address": "", "phone": "",
            "email": "", "nir": ""}


def _token(page: str) -> str:
    found = re.search(r'name="submission_token" value="([0-9a-f-]{36})"', page)
    assert found is not None, page
    return found.group(1)


def test_every_post_form_carries_a_fresh_token_beside_the_csrf_input(client_as: Any, study: Any) -> None:
    client = client_as("coordinator")
    first = client.get("/donors/new/").content.decode()
    assert re.search(r'name="csrfmiddlewaretoken" value="[^"]+"><input type="hidden" name="submission_token"',
                     first)
    assert _token(first) != _token(client.get("/donors/new/").content.decode())
    search = client.get("/donors/").content.decode().split('<form method="get">')[1].split("</form>")[0]
    assert "submission_token" not in search  # a GET form: no CSRF input, no token


def test_the_same_form_sent_again_registers_one_donor_and_says_so(client_as: Any, study: Any) -> None:
    client = client_as("coordinator")
    token = _token(client.get("/donors/new/").content.decode())
    first = client.post("/donors/new/", {**IDENTITY, "submission_token": token})
    again = client.post("/donors/new/", {**IDENTITY, "submission_token": token}, follow=True)
    assert first.status_code == 302 and again.redirect_chain[0][0] == first["Location"]
    assert "This form was already submitted." in again.content.decode()
    assert Donor.objects.count() == 1
    fresh = _token(client.get("/donors/new/").content.decode())
    client.post("/donors/new/", {**IDENTITY, "submission_token": fresh})
    assert Donor.objects.count() == 2  # a new form is a new registration (no NIR to tell them apart)


def test_a_form_refused_beside_its_field_can_be_corrected_and_sent_again(client_as: Any, study: Any) -> None:
    client = client_as("coordinator")
    token = _token(client.get("/donors/new/").content.decode())
    refused = client.post("/donors/new/", {**IDENTITY, "nir": "123", "submission_token": token})
    assert refused.status_code == 200 and Donor.objects.count() == 0
    assert Submission.objects.get(key=token).state == Submission.RELEASED
    accepted = client.post("/donors/new/", {**IDENTITY, "submission_token": token})
    assert accepted.status_code == 302 and Donor.objects.count() == 1
    assert Submission.objects.get(key=token).state == Submission.DONE


def test_a_refusal_reported_on_the_page_it_redirects_to_frees_the_token(client_as: Any, study: Any,
                                                                        make_user: Any) -> None:
    from stromalab.web.donors import actions

    donor = actions.register_donor(study=study, identity={"last_name": "A", "first_name": "B"},
                                   acting_user=make_user("coordinator"))
    client = client_as("investigator")
    page = client.get(f"/donors/{donor.pseudonym}/").content.decode()
    token = _token(page[page.index(f"/donors/{donor.pseudonym}/consent/"):])
    sheet = study.information_sheets.get().pk
    form = {"sheet": sheet, "status": "signed", "reason": "", "submission_token": token}
    client.post(f"/donors/{donor.pseudonym}/consent/", {**form, "date": dt.date.today() + dt.timedelta(days=3)})
    assert not Consent.objects.exists()
    client.post(f"/donors/{donor.pseudonym}/consent/", {**form, "date": dt.date.today()})
    assert Consent.objects.count() == 1


def test_another_persons_token_is_theirs(client_as: Any, study: Any) -> None:
    one, other = client_as("coordinator"), client_as("coordinator")
    token = _token(one.get("/donors/new/").content.decode())
    one.post("/donors/new/", {**IDENTITY, "submission_token": token})
    other.post("/donors/new/", {**IDENTITY, "first_name": "Anne", "submission_token": token})
    assert Donor.objects.count() == 2


def _browser(base: str, username: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/accounts/login/", timeout=60) as response:
        page = response.read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf is not None
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "next": "/donors/new/",
                                   "csrfmiddlewaretoken": csrf.group(1)}).encode()
    opener.open(urllib.request.Request(f"{base}/accounts/login/", data=form,
                                       headers={"Referer": f"{base}/accounts/login/"}), timeout=60).close()
    return opener


def test_five_simultaneous_posts_of_one_form_register_one_donor(live_server: Any, make_user: Any,
                                                                 study: Any) -> None:
    """A double click, a retried request and an impatient reload at once, through CSRF and the
    real server: one donor, and every answer leads to it."""
    make_user("coordinator", username="coord")
    opener = _browser(live_server.url, "coord")
    with opener.open(f"{live_server.url}/donors/new/", timeout=60) as response:
        page = response.read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf is not None
    body = urllib.parse.urlencode({**IDENTITY, "csrfmiddlewaretoken": csrf.group(1),
                                   "submission_token": _token(page)}).encode()
    barrier = threading.Barrier(5)
    landed: list[str] = []
    lock = threading.Lock()

    def submit() -> None:
        barrier.wait()
        request = urllib.request.Request(f"{live_server.url}/donors/new/", data=body,
                                         headers={"Referer": f"{live_server.url}/donors/new/"})
        with opener.open(request, timeout=120) as response, lock:
            landed.append(response.url)

    threads = [threading.Thread(target=submit) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    donor = Donor.objects.get()
    assert landed == [f"{live_server.url}/donors/{donor.pseudonym}/"] * 5


def test_switching_the_language_from_a_page_kept_by_the_browser_still_works(client_as: Any, study: Any) -> None:
    """Posts that create nothing (language, log out) stay repeatable: the back button must not
    answer "already submitted" to a language switch."""
    client = client_as("coordinator")
    token = _token(client.get("/donors/").content.decode())
    for language in ("fr", "en", "fr"):
        client.post("/i18n/setlang/", {"language": language, "next": "/donors/", "submission_token": token})
        assert client.cookies["django_language"].value == language
    assert not Submission.objects.exists()
