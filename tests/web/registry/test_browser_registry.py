"""In real Chromium: an anonymous reader finds the study, reads it in French, and prints it
without the application's chrome; the Content-Security-Policy blocks nothing on the way."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.test_browser import browser  # noqa: F401  (the Chromium fixture)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_study_page_in_chromium(live_server: Any, browser: Any, study: Any) -> None:  # noqa: F811
    base = live_server.url
    page = browser.new_page()
    page.set_default_timeout(20000)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{base}/studies/")
    page.fill("[name=condition]", "sclerosis")
    page.select_option("[name=status]", "NOT_YET_RECRUITING")
    page.click("#search-button")
    page.click("#study-NCT05947682 a")
    page.wait_for_url(f"{base}/studies/NCT05947682/")
    assert page.inner_text("#status") == "Not yet recruiting"
    assert page.locator("#exclusion > li").count() == 22
    page.select_option("#language", "fr")  # the base page's own script submits the form
    page.wait_for_function("document.documentElement.lang === 'fr'")
    assert page.inner_text("#status") == "Pas encore en recrutement"
    assert page.inner_text("#criterion-I1") == "Age ≥ 18 and ≤ 55 years"
    assert page.is_visible("header") and page.is_visible("#print")
    page.emulate_media(media="print")
    assert not page.is_visible("header") and not page.is_visible("#print")
    assert page.is_visible("#exclusion")
    assert violations == []
