"""FCS panel uploads: generated panels with known fractions, the real instrument files of
tests/data/fcs, refusals naming the file, storage (SHA-256, never overwritten),
phenotype values as QC results, histograms."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from stromalab.web.audit.models import AuditEvent
from stromalab.web.quality import actions, queries, storage
from stromalab.web.quality import models as m
from stromalab.web.quality.actions import fcs as fcs_actions
from stromalab.web.quality.certificate import render

from .conftest import PASSWORD, enter_all, make_panel, uploads

pytestmark = pytest.mark.django_db


def _files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def test_passing_panel_is_stored_and_becomes_identity_results(batch: Any, analyst: Any, media: Path,
                                                               good_panel: dict[str, bytes]) -> None:
    control, stained = uploads(good_panel)
    panel = actions.upload_panel(batch=batch, control=control, stained=stained, acting_user=analyst)
    assert panel.verdict == "pass"
    criteria = {c["marker"]: c for c in panel.criteria()}
    assert set(criteria) == {"CD73", "CD90", "CD105", "CD45", "CD34", "CD14", "CD19", "HLA-DR"}
    assert criteria["CD73"]["value"] == pytest.approx(99.01, abs=0.5)
    assert criteria["HLA-DR"]["value"] == pytest.approx(1.0, abs=0.5)
    results = {r.test_id: r for r in m.QcResult.objects.filter(batch=batch)}
    assert set(results) == {"cd73", "cd90", "cd105", "cd45", "cd34", "cd14-cd11b", "cd19-cd79a", "hla-dr"}
    assert all(r.status == "pass" and r.source == "fcs" and r.panel == panel and r.unit == "%"
               for r in results.values())
    assert results["cd73"].value == f"{criteria['CD73']['value']:.2f}"
    assert results["cd73"].method == "flow cytometry" and results["cd73"].analyst == analyst
    # files: written once, SHA-256 recorded, read-only, under the media directory
    files = list(panel.files.order_by("position"))
    assert [f.role for f in files] == ["control", "stained", "stained"]
    for f, (name, data) in zip(files, good_panel.items(), strict=True):
        path = media / f.stored_path
        assert path.read_bytes() == data and f.sha256 == hashlib.sha256(data).hexdigest()
        assert f.original_name == name and f.size == len(data) and f.events > 0
        with pytest.raises(FileExistsError):
            storage.publish(storage.stage(b"other"), f.stored_path, hashlib.sha256(b"other").hexdigest())
    assert AuditEvent.objects.filter(record_type="quality.FcsPanel", record_id=str(panel.pk), action="create").exists()
    # histograms of control against stained: one per marker channel, PNG
    hs = queries.panel_histograms(panel)
    assert len(hs) == 8
    from stromalab.web.quality.histograms import render_png

    assert render_png(hs[0]).startswith(b"\x89PNG")
    hs_by = {h.markers[0]: h for h in hs}
    assert hs_by["CD73"].percent_positive == pytest.approx(criteria["CD73"]["value"])


def test_failing_panel_opens_oos_and_blocks_release(batch: Any, analyst: Any, qp: Any,
                                                    bad_panel: dict[str, bytes]) -> None:
    enter_all(batch, analyst, skip=("cd73", "cd90", "cd105", "cd45", "cd34", "cd14-cd11b", "cd19-cd79a", "hla-dr"))
    control, stained = uploads(bad_panel)
    panel = actions.upload_panel(batch=batch, control=control, stained=stained, acting_user=analyst)
    assert panel.verdict == "fail"
    failed = set(m.OosRecord.objects.filter(batch=batch, status="open").values_list("test_id", flat=True))
    assert failed == {"cd45", "cd34", "cd14-cd11b", "cd19-cd79a", "hla-dr"}
    with pytest.raises(ValidationError, match="HLA-DR"):
        actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)


def test_a_second_panel_replaces_results_only_with_a_reason(batch: Any, analyst: Any,
                                                            good_panel: dict[str, bytes]) -> None:
    control, stained = uploads(make_panel(21, negatives=0.04))
    first = actions.upload_panel(batch=batch, control=control, stained=stained, acting_user=analyst)
    assert first.verdict == "fail"
    control, stained = uploads(good_panel)
    with pytest.raises(ValidationError, match="give a reason"):
        actions.upload_panel(batch=batch, control=control, stained=stained, acting_user=analyst)
    assert m.FcsPanel.objects.count() == 1
    second = actions.upload_panel(batch=batch, control=control, stained=stained, acting_user=analyst,
                                  reason="re-stained with fresh antibody lot")
    hla = m.QcResult.objects.get(batch=batch, test_id="hla-dr", voided_at__isnull=True)
    assert hla.panel == second and hla.status == "pass"
    ev = AuditEvent.objects.get(record_type="quality.QcResult", record_id=str(hla.pk), field="value")
    assert ev.reason == "re-stained with fresh antibody lot" and ev.old != ev.new
    # the OOS records opened by the first panel stay open until investigated
    assert m.OosRecord.objects.filter(batch=batch, status="open").count() == 5


def test_corrupted_file_is_refused_naming_it_and_nothing_is_stored(batch: Any, analyst: Any, media: Path,
                                                                   fixtures_dir: Path,
                                                                   good_panel: dict[str, bytes]) -> None:
    control, stained = uploads(good_panel)
    bad = actions.Upload("corrupted.fcs", (fixtures_dir / "corrupted.fcs").read_bytes())
    with pytest.raises(ValidationError) as e:
        actions.upload_panel(batch=batch, control=control, stained=[stained[0], bad], acting_user=analyst)
    message = " ".join(e.value.messages)
    assert message.startswith("corrupted.fcs: ") and "nothing was stored" in message
    assert not m.FcsPanel.objects.exists() and not m.QcResult.objects.exists() and _files(media) == []


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("empty.fcs", b"", "empty"),
    ("text.fcs", b"FCS3.1    not really an FCS file at all" * 3, "text.fcs: "),
])
def test_unreadable_files_are_refused(batch: Any, analyst: Any, media: Path, good_panel: dict[str, bytes],
                                      name: str, data: bytes, reason: str) -> None:
    _control, stained = uploads(good_panel)
    with pytest.raises(ValidationError, match=reason):
        actions.upload_panel(batch=batch, control=actions.Upload(name, data), stained=stained, acting_user=analyst)
    assert _files(media) == [] and not m.FcsPanel.objects.exists()


def test_failure_after_writing_removes_the_files(batch: Any, analyst: Any, media: Path,
                                                 good_panel: dict[str, bytes], monkeypatch: Any) -> None:
    def boom(**kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(fcs_actions, "_enter_result", boom)
    control, stained = uploads(good_panel)
    with pytest.raises(RuntimeError):
        actions.upload_panel(batch=batch, control=control, stained=stained, acting_user=analyst)
    assert _files(media) == [] and not m.FcsPanel.objects.exists()


def test_stained_tube_without_the_control_channel_is_refused(batch: Any, analyst: Any, good_panel: dict[str, bytes]) -> None:
    from .conftest import _tube

    odd = _tube(5, {"PE-Cy7-A": ("CD90 PE-Cy7", 0.99)})
    control, _ = uploads(good_panel)
    with pytest.raises(ValidationError, match="control has no channel 'PE-Cy7-A'"):
        actions.upload_panel(batch=batch, control=control, stained=[actions.Upload("cy7.fcs", odd)],
                             acting_user=analyst)


def _edited(data: bytes, old: bytes, new: bytes) -> bytes:
    """``data`` with one TEXT keyword or value changed in place (same length: offsets hold), as
    another export of the same acquisition would differ."""
    assert len(old) == len(new) and data.count(old) == 1
    return data.replace(old, new)


def test_real_instrument_file_with_cd45_cd34_cd19(batch: Any, analyst: Any, fixtures_dir: Path) -> None:
    """bd_facsdiva_spill.fcs (BD FACSDiva, SPILL matrix, CD45/CD34/CD19 stains) as stained tube
    and, exported again under another $FIL, as control: each channel's positives are the 1 %
    above its own 99th percentile."""
    data = (fixtures_dir / "bd_facsdiva_spill.fcs").read_bytes()
    control = _edited(data, b"123991.fcs", b"123990.fcs")
    panel = actions.upload_panel(batch=batch, control=actions.Upload("control.fcs", control),
                                 stained=[actions.Upload("bd_facsdiva_spill.fcs", data)], acting_user=analyst)
    measured = {c["marker"]: c for c in panel.criteria() if c["value"] is not None}
    assert {"CD45", "CD34", "CD19"} <= set(measured)
    assert panel.verdict == "incomplete"  # no positive marker in this file
    for marker in ("CD45", "CD34", "CD19"):
        assert measured[marker]["value"] == pytest.approx(1.0, abs=0.2)
    tests = set(m.QcResult.objects.filter(batch=batch).values_list("test_id", flat=True))
    assert {"cd45", "cd34", "cd19-cd79a"} <= tests and "cd73" not in tests
    assert len(queries.panel_histograms(panel)) >= 3
    assert panel.instrument == "BD FACSDiva Software Version 6.2"  # no $CYT: CREATOR
    assert panel.acquired_on.isoformat() == "2014-07-18"  # $DATE 18-JUL-2014
    assert panel.warnings == []  # same day, no $CYT to compare


def test_certificate_carries_the_phenotype_and_histograms(batch: Any, analyst: Any, qp: Any,
                                                          good_panel: dict[str, bytes]) -> None:
    control, stained = uploads(good_panel)
    identity = ("cd73", "cd90", "cd105", "cd45", "cd34", "cd14-cd11b", "cd19-cd79a", "hla-dr")
    enter_all(batch, analyst, skip=identity)
    actions.upload_panel(batch=batch, control=control, stained=stained, acting_user=analyst)
    actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    data = queries.certificate_data(batch)
    assert len(data["phenotype"]) == 1 and len(data["phenotype"][0]["histograms"]) == 8
    pdf = render(data, compress=False)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Subtype /Image") >= 8
    assert b"Immunophenotype" in pdf and b"CD105" in pdf and b"Quentin Pharmacien" in pdf
