"""The API as its clients use it: a real HTTP client against a live server (Django's test client
skips CSRF and once hid an API that no token or basic-auth client could write to).

Session writes need CSRF; bearer-token and basic-auth writes do not."""

from __future__ import annotations

import base64
import http.cookiejar
import json
import re
import urllib.error
import urllib.request
from typing import Any

import pytest

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

DONOR = {"last_name": "Martin", "first_name": "Claire"}


def _send(opener: urllib.request.OpenerDirector, url: str, *, data: Any = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any] | str]:
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json",
                                                                 **(headers or {})})
    try:
        with opener.open(request, timeout=60) as response:
            text = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as error:
        text, status = error.read().decode(), error.code
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


@pytest.fixture()
def coordinator(make_user: Any, study: Any) -> Any:
    return make_user("coordinator", username="coord")


def test_a_bearer_token_client_writes_without_csrf(live_server: Any, coordinator: Any) -> None:
    from stromalab.web.accounts.actions import create_api_token

    token = create_api_token(acting_user=coordinator, label="script")
    opener = urllib.request.build_opener()
    status, body = _send(opener, f"{live_server.url}/api/donors/donors", data=DONOR,
                         headers={"Authorization": f"Bearer {token}"})
    assert status == 201, body
    assert isinstance(body, dict) and body["pseudonym"].startswith("NCT05947682-")


def test_a_basic_auth_client_writes_without_csrf(live_server: Any, coordinator: Any) -> None:
    credentials = base64.b64encode(f"coord:{PASSWORD}".encode()).decode()
    status, body = _send(urllib.request.build_opener(), f"{live_server.url}/api/donors/donors", data=DONOR,
                         headers={"Authorization": f"Basic {credentials}"})
    assert status == 201, body


def test_a_bad_token_is_refused_even_with_a_made_up_csrf_pair(live_server: Any, coordinator: Any) -> None:
    status, _ = _send(urllib.request.build_opener(), f"{live_server.url}/api/donors/donors", data=DONOR,
                      headers={"Authorization": "Bearer not-a-token", "Cookie": "csrftoken=" + "a" * 32,
                               "X-CSRFToken": "a" * 32})
    assert status == 401


def _logged_in_browser(base: str) -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/accounts/login/", timeout=60) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    form = urllib.parse.urlencode({"username": "coord", "password": PASSWORD,
                                   "csrfmiddlewaretoken": token.group(1)}).encode()
    with opener.open(urllib.request.Request(f"{base}/accounts/login/", data=form,
                                            headers={"Referer": f"{base}/accounts/login/"}), timeout=60):
        pass
    assert any(c.name == "sessionid" for c in jar)
    return opener, jar


def test_a_session_write_needs_the_csrf_token(live_server: Any, coordinator: Any) -> None:
    from stromalab.web.donors.models import Donor

    opener, jar = _logged_in_browser(live_server.url)
    url = f"{live_server.url}/api/donors/donors"
    status, body = _send(opener, url, data=DONOR)
    assert status == 403 and "CSRF" in str(body)
    assert not Donor.objects.exists()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    status, body = _send(opener, url, data=DONOR, headers={"X-CSRFToken": csrf, "Referer": live_server.url})
    assert status == 201, body
    assert Donor.objects.count() == 1


def test_a_session_read_needs_no_csrf(live_server: Any, coordinator: Any) -> None:
    opener, _ = _logged_in_browser(live_server.url)
    status, body = _send(opener, f"{live_server.url}/api/donors/donors")
    assert status == 200 and body == {"items": [], "count": 0}


def test_no_basic_auth_challenge_for_browsers_to_cache(live_server: Any) -> None:
    status, _ = _send(urllib.request.build_opener(), f"{live_server.url}/api/donors/donors")
    assert status == 401
    try:
        urllib.request.urlopen(f"{live_server.url}/api/donors/donors", timeout=60)
    except urllib.error.HTTPError as error:
        assert "WWW-Authenticate" not in error.headers
