"""French pre-screening pages: the run list, a run (attrition, candidates) and a person render in
French for a user who chose French (the catalogue itself is checked by tests/web/test_i18n.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from stromalab.web.accounts import roles
from stromalab.web.warehouse.models import PrescreenRun

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def test_run_pages_in_french(analyst: Any, client_as: Any, schedule_file: Path) -> None:
    client = client_as(roles.WAREHOUSE_ANALYST, analyst)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    try:
        listing = client.get("/warehouse/").content.decode()
        assert 'lang="fr"' in listing and "Pré-screening de l'entrepôt de données" in listing
        assert "Lancer un pré-screening" in listing and "Programme opératoire (CSV, facultatif)" in listing
        assert "(données synthétiques de démonstration)" in listing and "Aucun pré-screening" in listing
        assert "Warehouse pre-screening" not in listing and "Run pre-screen" not in listing

        with schedule_file.open("rb") as handle:
            response = client.post("/warehouse/", {"source": "test", "as_of": AS_OF.isoformat(),
                                                   "schedule": handle}, follow=True)
        run = PrescreenRun.objects.get()
        body = response.content.decode()
        assert f"Pré-screening terminé : {run.candidates} candidats sur {run.population}." in body
        assert "Exécution du pré-screening" in body and "<h2>Attrition</h2>" in body
        assert "<th>Candidats</th>" in body and "<th>Critères non satisfaits</th>" in body
        assert 'class="pass">candidat</td>' in body and "Pre-screening run" not in body

        excluded = run.results.filter(verdict="excluded").first()
        page = client.get(f"/warehouse/runs/{run.pk}/persons/{excluded.person_id}/").content.decode()
        assert "Personne de l'entrepôt" in page and 'class="fail">exclu</strong>' in page
        failed = excluded.failed_ids[0]
        assert re.search(f'<tr id="criterion-{failed}"><td>{failed}</td><td>(in|ex)clusion</td>'
                         '<td class="fail" data-status="fail">non conforme</td>', page)
        assert "Enregistrer comme donneur" not in page

        candidate = run.results.filter(verdict="candidate").first()
        page = client.get(f"/warehouse/runs/{run.pk}/persons/{candidate.person_id}/").content.decode()
        assert "Enregistrer comme donneur" in page and "prénom" in page
        registered = client.post(f"/warehouse/runs/{run.pk}/persons/{candidate.person_id}/",
                                 {"last_name": "Durand", "first_name": "Alix"}, follow=True).content.decode()
        assert f"Personne {candidate.person_id} enregistrée comme donneur" in registered
        assert "Données reportées dans le dossier de sélection" in registered
    finally:
        translation.activate("en")  # the middleware leaves the thread's language set
