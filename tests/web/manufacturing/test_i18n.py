"""French pages for manufacturing (the catalogue itself is checked by tests/web/test_i18n.py)."""

from __future__ import annotations

from typing import Any

from django.utils import translation


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
