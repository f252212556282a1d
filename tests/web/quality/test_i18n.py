"""French quality pages: the QC, result, panel, OOS and release summary pages render in French for
a user who chose French (the catalogue itself is checked by tests/web/test_i18n.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import translation

from stromalab.web.quality import models as m

from .conftest import enter_all

pytestmark = pytest.mark.django_db


def _french(client: Any) -> Any:
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    return client


def test_qc_and_release_pages_in_french(batch: Any, analyst: Any, qp: Any, client_as: Any) -> None:
    enter_all(batch, analyst, overrides={"endotoxin": "3"}, skip=("karyotype",))
    oos = m.OosRecord.objects.get()
    try:
        client = _french(client_as("qc_analyst", analyst))
        qc = client.get(f"/quality/batches/{batch.code}/").content.decode()
        assert 'lang="fr"' in qc and "Contrôle qualité" in qc and "Saisir un résultat" in qc
        assert "Certificat d'analyse (PDF)" in qc and "Des fiches hors spécification ouvertes" in qc
        assert "<th>Conformité</th>" in qc and "Date de réalisation" in qc
        for status, shown in (("pass", "conforme"), ("fail", "non conforme"), ("missing", "manquant")):
            assert re.search(f'data-status="{status}" title="[^"]*">{shown}</td>', qc), status
        assert "Release summary" not in qc

        result = m.QcResult.objects.get(batch=batch, test_id="viability")
        page = client.get(f"/quality/results/{result.pk}/").content.decode()
        assert "Corriger ou annuler" in page and "Historique (piste d'audit)" in page
        assert 'id="status">conforme</td>' in page and "Motif (obligatoire)" in page

        posted = client.post(f"/quality/batches/{batch.code}/results/", {
            "test_id": "karyotype", "value": "normal", "performed_on": dt.date.today().isoformat()},
            follow=True).content.decode()
        assert "Résultat enregistré : " in posted and "— conforme" in posted

        listing = client.get("/quality/").content.decode()
        assert "Contrôle qualité et libération" in listing and "Synthèse de libération du lot" in listing
        oos_page = client.get(f"/quality/oos/{oos.pk}/").content.decode()
        assert "Fiche hors spécification (OOS)" in oos_page and "Constat" in oos_page

        release = _french(client_as("qualified_person", qp)).get(
            f"/quality/batches/{batch.code}/release/").content.decode()
        assert f"<title>Libération {batch.code} · stromalab</title>" in release
        assert "Synthèse de libération du lot" in release and "Éligibilité du donneur" in release
        assert "Le lot ne peut pas être libéré :" in release and "Libérer" in release and "Rejeter" in release
        assert "Motif (obligatoire pour rejeter)" in release and "Je soussigné(e)" in release
        assert "Release summary" not in release and "Reason (required to reject)" not in release
    finally:
        translation.activate("en")  # the middleware leaves the thread's language set


def test_panel_page_in_french(batch: Any, analyst: Any, good_panel: dict[str, bytes], client_as: Any) -> None:
    from stromalab.web.quality import actions

    from .conftest import uploads

    control, stained = uploads(good_panel)
    panel = actions.upload_panel(batch=batch, control=control, stained=stained, acting_user=analyst)
    try:
        body = _french(client_as("qc_analyst", analyst)).get(f"/quality/panels/{panel.pk}/").content.decode()
        assert "Panel d'immunophénotypage" in body and "Événements fenêtrés" in body
        assert 'id="isct-verdict" class="pass">conforme</strong>' in body and body.count("SHA-256 vérifié") == 3
    finally:
        translation.activate("en")
