"""French pages for manufacturing; the app's committed .mo matches its .po."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils import translation

from stromalab.web.i18n import mo_bytes, parse_po
from stromalab.web.manufacturing import apps

LOCALE = Path(apps.__file__).parent / "locale"


def test_mo_is_compiled_from_po() -> None:
    po = LOCALE / "fr" / "LC_MESSAGES" / "django.po"
    entries = parse_po(po.read_text(encoding="utf-8"))
    assert len(entries) > 100
    assert po.with_suffix(".mo").read_bytes() == mo_bytes(entries)


def test_pages_in_french(enrolled_donor: Any, run_batch: Any, client_as: Any) -> None:
    batch = run_batch(enrolled_donor(), until="isolation")
    client = client_as("operator")
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    try:
        body = client.get(f"/manufacturing/batches/{batch.code}/").content.decode()
        assert "Ensemencer le passage" in body and "Étapes" in body and "Isolement de la FVS" in body
        assert "Lots" in client.get("/manufacturing/").content.decode()
    finally:
        translation.activate("en")  # the middleware leaves the thread's language set
