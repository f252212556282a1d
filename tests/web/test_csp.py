"""Content-Security-Policy on every page: only the application's scripts run, and its own inline
scripts carry the response's nonce (checked in Chromium too: no violation, the pages still work)."""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

import pytest

from .test_browser import browser, login  # noqa: F401  (the shared Chromium fixture)


def test_every_inline_script_carries_the_nonce_of_its_response(client_as: Any, eligible_donor: Any) -> None:
    donor = eligible_donor()
    client = client_as("coordinator")
    nonces = set()
    for url in ("/", f"/screening/{donor.pseudonym}/", "/accounts/login/"):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", policy)
        assert nonce and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
        scripts = re.findall(r"<script([^>]*)>", response.content.decode())
        assert scripts and all(f'nonce="{nonce.group(1)}"' in attrs or "src=" in attrs or
                               "application/json" in attrs for attrs in scripts), (url, scripts)
        assert "onchange=" not in response.content.decode()
        nonces.add(nonce.group(1))
    assert len(nonces) == 3  # a new nonce for each response


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_run_under_the_policy_in_chromium(live_server: Any, browser: Any, eligible_donor: Any,  # noqa: F811
                                               make_user: Any) -> None:
    donor = eligible_donor()
    make_user("coordinator", username="csp")
    page = browser.new_page()
    page.set_default_timeout(20000)
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    login(page, live_server.url, "csp")
    page.goto(f"{live_server.url}/screening/{donor.pseudonym}/")
    with page.expect_navigation():
        page.select_option("#language", "fr")  # the language menu's script submits the form
    page.wait_for_selector("html[lang=fr]")
    # the API documentation with the network cut: every request that leaves this machine fails
    foreign: list[str] = []

    def local_only(route: Any) -> None:
        host = urllib.parse.urlsplit(route.request.url).hostname or ""
        if host in ("127.0.0.1", "localhost", "::1"):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    page.route("**/*", local_only)
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".swagger-ui .opblock")  # Swagger UI rendered from the package's assets
    assert violations == [] and foreign == []
