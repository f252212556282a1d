"""``stromalab demo`` on an empty database: every stage of the study present, made through the
actions (audited trail intact, signatures by the right people, four eyes), the phenotype
computed from the stored files, and a second run refused without changing anything."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from stromalab.cli import main
from stromalab.core.cytometry import parse_fcs
from stromalab.core.cytometry.phenotype import phenotype
from stromalab.web.accounts import roles
from stromalab.web.accounts.models import Signature, User
from stromalab.web.audit.kinds import EventKind
from stromalab.web.audit.models import AuditEvent
from stromalab.web.donors.models import Consent, Donor
from stromalab.web.manufacturing.models import Batch, Container, Step
from stromalab.web.quality import storage
from stromalab.web.quality.models import FcsPanel, OosRecord, QcResult, ReleaseDecision
from stromalab.web.quality.queries import qc_participants, release_summary
from stromalab.web.quality.spec import identity_values
from stromalab.web.screening.models import DataQuery, EligibilityDecision, Screening


def _by_status(model: Any) -> dict[str, int]:
    return dict(Counter(model.objects.values_list("status", flat=True)))


def test_donors_at_every_stage_queries_and_one_account_per_role(demo_output: str) -> None:
    """Enrolled, eligible, ineligible (signed, failing I3), in progress, withdrawn and refused
    donors; a data query closed after the site's answer and one open; an account per role
    whose printed password is the one it signs with, chosen at first login."""
    assert _by_status(Donor) == {"enrolled": 5, "eligible": 1, "screen_failure": 1, "registered": 2}
    withdrawn = Donor.objects.get(withdrawn_at__isnull=False)
    assert [c.status for c in withdrawn.consents.all()] == [Consent.SIGNED, Consent.WITHDRAWN]
    refused = [d for d in Donor.objects.filter(status=Donor.REGISTERED)
               if d.current_consent().status == Consent.REFUSED]  # type: ignore[union-attr]
    assert len(refused) == 1
    in_progress = Screening.objects.get(donor__status=Donor.REGISTERED)
    assert in_progress.verdict == "incomplete"

    ineligible = EligibilityDecision.objects.get(verdict="ineligible")
    assert [r["id"] for r in ineligible.results if r["status"] == "fail"] == ["I3"]
    assert ineligible.screening.donor.status == Donor.SCREEN_FAILURE
    signers = {d.signature.signer.role for d in EligibilityDecision.objects.select_related("signature__signer")}
    assert signers == {roles.INVESTIGATOR}

    assert _by_status(DataQuery) == {"open": 1, "closed": 1}
    closed = DataQuery.objects.get(status=DataQuery.CLOSED)
    steps = [(m.kind, m.author.role) for m in closed.messages.order_by("id")]
    assert steps == [("open", roles.DATA_MANAGER), ("answer", roles.COORDINATOR), ("close", roles.DATA_MANAGER)]

    accounts = demo_output.split("demo accounts", 1)[1].splitlines()[1:]
    printed = {role: (username, password) for role, username, password in (line.split() for line in accounts)}
    assert set(printed) == set(roles.ALL)
    for role, (username, password) in printed.items():
        user = User.objects.get(username=username)
        assert user.role == role and User.objects.filter(role=role).count() == 1
        assert user.check_password(password) and not user.must_change_password


def test_batches_released_and_blocked_with_the_phenotype_computed_from_the_files(demo_output: str) -> None:
    """Two batches released by the qualified person, one blocked by the OOS its panel opened;
    each harvested on its donor's surgery day, freezing fewer cells than grown; every identity
    result is what the product computes from the stored files, whose hashes match."""
    assert _by_status(Batch) == {"released": 2, "quarantine": 1}
    for decision in ReleaseDecision.objects.select_related("batch", "decided_by", "signature"):
        assert decision.decision == ReleaseDecision.RELEASED
        assert decision.decided_by.role == roles.QUALIFIED_PERSON
        assert decision.decided_by.pk not in qc_participants(decision.batch)  # four eyes
        assert decision.signature is not None and decision.signature.meaning == Signature.RELEASED
        assert set(decision.batch.containers.values_list("status", flat=True)) == {Container.RELEASED}
        assert release_summary(decision.batch).decision is not None
    blocked = Batch.objects.get(status=Batch.QUARANTINE)
    oos = OosRecord.objects.get()
    assert (oos.batch, oos.test_id, oos.status) == (blocked, "hla-dr", OosRecord.OPEN)
    assert oos.result.source == QcResult.FCS
    blockers = release_summary(blocked).blockers
    assert len(blockers) == 2 and all("HLA-DR" in b for b in blockers)  # the result and its OOS
    assert f"released: {', '.join(sorted(d.batch.code for d in ReleaseDecision.objects.all()))}" in demo_output
    assert f"blocked by an OOS: {blocked.code}" in demo_output

    for batch in Batch.objects.select_related("donation__donor"):
        steps = {(s.kind, s.number): s for s in batch.steps.all()}
        harvested = dt.datetime.fromisoformat(steps[(Step.HARVEST, 0)].data["harvested_at"])
        surgery = Screening.objects.get(donor=batch.donation.donor).surgery_date
        assert timezone.localtime(harvested).date() == surgery
        assert all(s.state == Step.DONE for s in steps.values())
        assert not batch.deviations.exists()
        last = max((s for s in steps.values() if s.kind == Step.PASSAGE), key=lambda s: s.number)
        frozen = steps[(Step.FREEZING, 0)].data
        assert frozen["container_count"] * frozen["cells_per_container"] < 0.8 * last.data["cells_harvested"]
        assert {s.signature.signer.role for s in steps.values()} == {roles.OPERATOR}  # type: ignore[union-attr]

    assert FcsPanel.objects.count() == 3
    for panel in FcsPanel.objects.prefetch_related("files"):
        files = sorted(panel.files.all(), key=lambda f: f.position)
        data = [storage.read(f.stored_path, f.sha256) for f in files]  # refuses a hash mismatch
        assert [f.role for f in files] == ["control", "stained", "stained"]
        parsed = [parse_fcs(d, f.original_name) for d, f in zip(data, files, strict=True)]
        computed = phenotype(parsed[0], parsed[1:])
        assert computed.verdict == panel.verdict
        expected = identity_values(computed.as_json()["isct"]["criteria"])
        stored = {r.test_id: r for r in QcResult.objects.filter(panel=panel)}
        assert set(stored) == set(expected)
        for test_id, value in expected.items():
            assert (stored[test_id].value, stored[test_id].source) == (format(value, "f"), QcResult.FCS)
    manual = QcResult.objects.filter(source=QcResult.MANUAL, test_id__in=("sterility", "mycoplasma", "karyotype"))
    assert set(manual.values_list("value", flat=True)) == {"no growth", "not detected", "normal"}


def test_the_trail_verifies_and_a_second_run_is_refused_changing_nothing(
        demo_output: str, capsys: pytest.CaptureFixture[str], media: Path) -> None:
    """Every record the demo made has its creation in the trail (made by the actions, not
    saved directly), ``stromalab audit verify`` passes, and a second run writes nothing."""
    for model in (User, Donor, Consent, Batch, Container, QcResult, FcsPanel, DataQuery, ReleaseDecision):
        record_type = model._meta.label
        audited = set(AuditEvent.objects.filter(record_type=record_type,
                                                action__in=(EventKind.CREATE, EventKind.QUERY_OPEN, EventKind.RELEASE))
                      .values_list("record_id", flat=True))
        assert {str(pk) for pk in model.objects.values_list("pk", flat=True)} <= audited, record_type
    assert main(["audit", "verify"]) == 0
    assert "audit trail intact" in capsys.readouterr().out
    before = (AuditEvent.objects.count(), User.objects.count(), Donor.objects.count(),
              sorted(p for p in media.rglob("*")))
    assert main(["demo", "--seed", "7"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("stromalab demo: error: the database already holds study data (9 donors")
    assert (AuditEvent.objects.count(), User.objects.count(), Donor.objects.count(),
            sorted(p for p in media.rglob("*"))) == before


def test_a_database_with_one_donor_is_refused(eligible_donor: Any, capsys: pytest.CaptureFixture[str]) -> None:
    eligible_donor()
    events = AuditEvent.objects.count()
    assert main(["demo"]) == 2
    assert capsys.readouterr().err == ("stromalab demo: error: the database already holds study data (1 donor): "
                                      "the demo fills only an empty database\n")
    assert AuditEvent.objects.count() == events and not User.objects.filter(username="qc-analyst").exists()


def test_another_configured_study_is_refused(db: None, settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    settings.STROMALAB_PROTOCOL = "NCT00000000"
    assert main(["demo"]) == 2
    assert "written for NCT05947682" in capsys.readouterr().err
    assert not AuditEvent.objects.exists()


def test_a_database_without_its_migrations_is_refused(db: None, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("quality", "9999")])
    assert main(["demo"]) == 2
    assert "migrations not applied; run 'stromalab manage bootstrap' first" in capsys.readouterr().err
    assert not AuditEvent.objects.exists()
