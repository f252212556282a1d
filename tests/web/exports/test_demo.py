"""The demo study (``stromalab demo``) exported both ways: valid documents, no identity."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from stromalab.cli import main
from stromalab.web.donors.models import DonorIdentity
from stromalab.web.exports.odm import schema


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.STROMALAB_MEDIA_DIR = tmp_path / "media"
    return tmp_path / "media"


def test_the_demo_study_exports(db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from stromalab.web.accounts.models import User

    assert main(["demo", "--seed", "3"]) == 0
    manager = User.objects.get(role="data_manager", is_active=True)
    fhir, odm = tmp_path / "demo.json", tmp_path / "demo.xml"
    assert main(["export", "fhir", "--user", manager.username, "--out", str(fhir)]) == 0
    assert main(["export", "odm", "--user", manager.username, "--out", str(odm)]) == 0
    bundle = json.loads(fhir.read_text())
    for entry in bundle["entry"]:
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
    assert any(e["resource"]["resourceType"] == "BiologicallyDerivedProduct" for e in bundle["entry"])
    assert schema().is_valid(odm.read_text())
    texts = (fhir.read_text().lower(), odm.read_text().lower())
    for identity in DonorIdentity.objects.all():
        for value in (identity.last_name, identity.first_name, identity.nir, identity.email):
            if len(value) > 3:
                assert all(value.lower() not in text for text in texts), value
