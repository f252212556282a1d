"""FCS uploads that cannot be a panel are refused with nothing stored, not even a file: the same
file as control and stained tube (identical SHA-256), a stained tube that measures none of the
panel's markers. A control acquired on another instrument ($CYT) or day ($DATE) than a stained
tube is stored with a warning that the panel, the QC page, the release summary and the API show."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from stromalab.web.audit.models import AuditEvent
from stromalab.web.quality import actions
from stromalab.web.quality import models as m

from .conftest import uploads

pytestmark = pytest.mark.django_db

NO_PANEL_MARKER = ["bd_fortessa_fcs30.fcs", "miltenyi_macsquant_fcs31.fcs", "cytek_xp5_24bit.fcs",
                   "flowio_data_stop_offset_discrepancy.fcs", "thermo_attune_g11.fcs"]


def _stored(media: Path) -> list[Path]:
    """Every file under the media directory, staging area included."""
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def _edited(data: bytes, *changes: tuple[bytes, bytes]) -> bytes:
    """``data`` with TEXT keywords or values changed in place (same length: offsets hold)."""
    for old, new in changes:
        assert len(old) == len(new) and data.count(old) == 1
        data = data.replace(old, new)
    return data


def _facsdiva(fixtures_dir: Path) -> bytes:
    return (fixtures_dir / "bd_facsdiva_spill.fcs").read_bytes()


def _nothing_stored(media: Path) -> None:
    assert not m.FcsPanel.objects.exists() and not m.FcsFile.objects.exists() and not m.QcResult.objects.exists()
    assert _stored(media) == []
    assert not AuditEvent.objects.filter(record_type="quality.FcsPanel").exists()


def test_the_same_file_as_control_and_stained_tube_is_refused(batch: Any, analyst: Any, media: Path,
                                                              fixtures_dir: Path) -> None:
    data = _facsdiva(fixtures_dir)
    with pytest.raises(ValidationError) as refused:
        actions.upload_panel(batch=batch, control=actions.Upload("control.fcs", data),
                             stained=[actions.Upload("stained.fcs", data)], acting_user=analyst)
    assert refused.value.message_dict == {"stained": [
        "stained.fcs and control.fcs are the same file (identical SHA-256): a stained tube is measured "
        "against a different control tube; nothing was stored"]}
    _nothing_stored(media)


def test_a_stained_tube_given_twice_is_refused(batch: Any, analyst: Any, media: Path,
                                               good_panel: dict[str, bytes]) -> None:
    control, stained = uploads(good_panel)
    again = actions.Upload("positives-again.fcs", stained[0].data)
    with pytest.raises(ValidationError, match=r"positives-again\.fcs and positives\.fcs are the same file"):
        actions.upload_panel(batch=batch, control=control, stained=[*stained, again], acting_user=analyst)
    _nothing_stored(media)


@pytest.mark.parametrize("fixture", NO_PANEL_MARKER)
def test_a_tube_without_any_panel_marker_is_refused(batch: Any, analyst: Any, media: Path, fixtures_dir: Path,
                                                    good_panel: dict[str, bytes], fixture: str) -> None:
    """Real instrument files of other stains: they used to be stored as an "incomplete" panel."""
    control, stained = uploads(good_panel)
    other = actions.Upload(fixture, (fixtures_dir / fixture).read_bytes())
    with pytest.raises(ValidationError) as refused:
        actions.upload_panel(batch=batch, control=control, stained=[stained[0], other], acting_user=analyst)
    assert refused.value.message_dict == {"stained": [
        f"{fixture} measures none of the panel's markers (CD73, CD90, CD105, CD45, CD34, CD14, CD11b, "
        "CD79a, CD19, HLA-DR): it is not a tube of this panel; nothing was stored"]}
    _nothing_stored(media)


def test_refusals_on_the_page_and_through_the_api(batch: Any, analyst: Any, media: Path, client_as: Any,
                                                  fixtures_dir: Path) -> None:
    data = _facsdiva(fixtures_dir)
    fortessa = (fixtures_dir / "bd_fortessa_fcs30.fcs").read_bytes()
    client = client_as("qc_analyst", analyst)
    page = client.post(f"/quality/batches/{batch.code}/fcs/", {
        "control": SimpleUploadedFile("control.fcs", data), "stained": [SimpleUploadedFile("stained.fcs", data)]},
        follow=True).content.decode()
    upload_form = page[page.index('id="fcs-form"'):]
    assert 'class="errorlist' in upload_form and "identical SHA-256" in upload_form
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    try:
        french = client.post(f"/quality/batches/{batch.code}/fcs/", {
            "control": SimpleUploadedFile("control.fcs", data),
            "stained": [SimpleUploadedFile("bd_fortessa_fcs30.fcs", fortessa)]}).content.decode()
    finally:
        translation.activate("en")
    assert "bd_fortessa_fcs30.fcs ne mesure aucun des marqueurs du panel" in french
    api = Client()
    api.force_login(analyst)
    r = api.post(f"/api/quality/batches/{batch.code}/fcs", {
        "control": SimpleUploadedFile("control.fcs", data), "stained": [SimpleUploadedFile("stained.fcs", data)]})
    assert r.status_code == 400 and list(json.loads(r.content)["fields"]) == ["stained"]
    assert "identical SHA-256" in json.loads(r.content)["detail"][0]
    _nothing_stored(media)


def _mismatched(fixtures_dir: Path) -> tuple[bytes, bytes]:
    """The FACSDiva file as control and as stained tube, each given an instrument ($SYS renamed
    $CYT, same length) and the control another day."""
    data = _facsdiva(fixtures_dir)
    control = _edited(data, (b"$SYS", b"$CYT"), (b"Windows XP 5.1", b"FACSCanto II  "),
                      (b"$DATE\x0c18-JUL", b"$DATE\x0c17-JUL"), (b"123991.fcs", b"123990.fcs"))
    stained = _edited(data, (b"$SYS", b"$CYT"), (b"Windows XP 5.1", b"LSRFortessa X2"))
    return control, stained


def test_a_control_from_another_instrument_or_day_is_stored_with_warnings(batch: Any, analyst: Any, qp: Any,
                                                                          client_as: Any, fixtures_dir: Path) -> None:
    control, stained = _mismatched(fixtures_dir)
    panel = actions.upload_panel(batch=batch, control=actions.Upload("control.fcs", control),
                                 stained=[actions.Upload("cd45.fcs", stained)], acting_user=analyst)
    assert panel.warnings == [
        {"kind": "instrument", "file": "cd45.fcs", "control_file": "control.fcs", "control": "FACSCanto II",
         "stained": "LSRFortessa X2"},
        {"kind": "date", "file": "cd45.fcs", "control_file": "control.fcs", "control": "2014-07-17",
         "stained": "2014-07-18"}]
    texts = panel.warning_texts()
    assert texts == [
        "control tube control.fcs was acquired on the instrument FACSCanto II, cd45.fcs on LSRFortessa X2 "
        "($CYT): check that this control belongs to it",
        "control tube control.fcs was acquired on 2014-07-17, cd45.fcs on 2014-07-18 ($DATE): check that "
        "this control belongs to it"]
    event = AuditEvent.objects.get(record_type="quality.FcsPanel", record_id=str(panel.pk))
    assert "LSRFortessa X2" in event.new and "2014-07-17" in event.new
    assert m.QcResult.objects.filter(panel=panel).exists()  # stored and used: a warning, not a refusal

    reader = client_as("monitor")
    assert all(t in reader.get(f"/quality/panels/{panel.pk}/").content.decode() for t in texts)
    qc = reader.get(f"/quality/batches/{batch.code}/").content.decode()
    assert all(t in qc for t in texts)
    release = client_as("qualified_person", qp).get(f"/quality/batches/{batch.code}/release/").content.decode()
    warnings = release[release.index('id="fcs-warnings"'):]
    assert f'href="/quality/panels/{panel.pk}/"' in warnings and all(t in warnings for t in texts)
    api = Client()
    api.force_login(qp)
    assert json.loads(api.get(f"/api/quality/panels/{panel.pk}").content)["warnings"] == texts
    summary = json.loads(api.get(f"/api/quality/batches/{batch.code}/release").content)
    assert summary["fcs_warnings"] == [f"panel {panel.pk}: {t}" for t in texts]


def test_warnings_in_french_and_none_for_a_matching_control(batch: Any, analyst: Any, client_as: Any,
                                                            fixtures_dir: Path, good_panel: dict[str, bytes]) -> None:
    control, stained = _mismatched(fixtures_dir)
    panel = actions.upload_panel(batch=batch, control=actions.Upload("control.fcs", control),
                                 stained=[actions.Upload("cd45.fcs", stained)], acting_user=analyst)
    with translation.override("fr"):
        assert panel.warning_texts()[1] == ("le tube contrôle control.fcs a été acquis le 2014-07-17, cd45.fcs le "
                                            "2014-07-18 ($DATE) : vérifiez que ce contrôle lui correspond")
    client = client_as("monitor")
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    try:
        body = client.get(f"/quality/panels/{panel.pk}/").content.decode()
    finally:
        translation.activate("en")
    assert "À vérifier avant de se fier à ce panel" in body and "sur l'instrument FACSCanto II" in html.unescape(body)
    generated_control, generated = uploads(good_panel)
    clean = actions.upload_panel(batch=batch, control=generated_control, stained=generated, acting_user=analyst,
                                 reason="panel with its own control")
    assert clean.warnings == [] and 'id="fcs-warnings"' not in client.get(
        f"/quality/panels/{clean.pk}/").content.decode()
