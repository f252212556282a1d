"""Every page of the demo study in French, as each demo role: no server error, and none of the
English phrases the system itself writes (step field names, the release summary's eligibility
line and blockers, in-process and release verdict wording, the protocol's word units and
methods) survives on a French page.

The crawl starts at the dashboard and follows same-site links, GET only, skipping logout,
exports, downloads, PDFs and images; it visits at most a few pages of each shape (``/quality/
results/N/``) so that it stays bounded. What people typed (names, reasons, free text) and
signed content shown verbatim (``<pre>``, ``<code>``) are study data, kept as written.
"""

from __future__ import annotations

import html
import re
from collections import Counter

from django.test import Client
from django.utils import translation

from stromalab.web.accounts import roles
from stromalab.web.accounts.models import User

#: English the system writes that must not reach a French page (unambiguous English, no codes)
MARKERS = (
    "matches the current record", "no longer matches", "eligible, signed", "no signed eligibility decision",
    "days_from", "_at:", "mass_g", "cells_seeded", "medium_lot", "viability_pct", "cell_count",
    "outside the in-process limit", "is below the minimum", "is open: investigate", "investigate and close it",
    "the batch has no containers", "batch record: step", "donor eligibility:",
    "≥ requested dose", "(cells)", "Welcome", "Harvest mass", "Total nucleated", "Time from harvest",
    "Containers placed",
)
#: the protocol's methods in English: recorded with each QC result, so the audit trail, which
#: shows what was recorded as recorded, keeps them; every other page says them in French
RECORDED = ("dye exclusion", "automated counter", "flow cytometry")
HREF = re.compile(r'href="(/[^"#]*)"')
SKIP = re.compile(r"logout|export|download|\.pdf|pdf/|labels|\.png|\.csv|/static/|/i18n/|/api/|/admin/")
HIDDEN = re.compile(r"(?s)<(script|style|pre|code)\b.*?</\1>")
PER_SHAPE = 3
LIMIT = 150


def _text(page: str) -> str:
    """What a reader sees: the page without markup, scripts and verbatim blocks."""
    return html.unescape(re.sub(r"(?s)<[^>]+>", " ", HIDDEN.sub(" ", page)))


def _crawl(client: Client) -> dict[str, str]:
    """Same-site pages reachable from the dashboard (GET, bounded): url -> visible text;
    a server error is recorded as its status."""
    seen: dict[str, str] = {}
    shapes: Counter[str] = Counter()
    todo = ["/"]
    while todo and len(seen) < LIMIT:
        url = html.unescape(todo.pop(0))
        shape = re.sub(r"\d+", "N", url.split("?")[0])
        if url in seen or shapes[shape] >= PER_SHAPE:
            continue
        shapes[shape] += 1
        response = client.get(url)
        if response.status_code >= 500:
            seen[url] = f"HTTP {response.status_code}"
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            seen[url] = ""
            continue
        page = response.content.decode()
        seen[url] = _text(page)
        todo.extend(h for h in HREF.findall(page) if not SKIP.search(html.unescape(h)))
    return seen


def test_every_demo_page_reads_french_for_each_role(demo_output: str) -> None:
    """The demo is made once (it takes a while); each role then reads it in French."""
    visited: dict[str, dict[str, str]] = {}
    for role in roles.ALL:
        user = User.objects.get(role=role, username__in=demo_output.split())
        client = Client()
        client.force_login(user)
        client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
        try:
            visited[role] = _crawl(client)
        finally:
            translation.activate("en")  # the middleware leaves the thread's language set
    errors = {role: [url for url, text in pages.items() if text.startswith("HTTP 5")]
              for role, pages in visited.items()}
    assert not {role: urls for role, urls in errors.items() if urls}
    english = {f"{role} {url}: {m}" for role, pages in visited.items() for url, text in pages.items()
               for m in (*MARKERS, *(() if url.startswith("/audit/") else RECORDED)) if m in text}
    assert not sorted(english)
    assert all(len(pages) > 3 for pages in visited.values()), {r: len(p) for r, p in visited.items()}
    assert any("/manufacturing/batches/G" in url for url in visited[roles.OPERATOR])
    release = {url: text for url, text in visited[roles.QUALIFIED_PERSON].items() if url.endswith("/release/")}
    assert release and all("la signature correspond au dossier actuel" in text for text in release.values())
