"""Warehouse pre-screening in the web application: same answers as the CLI, candidate → donor
with carried facts and their source, refusals, bad inputs, permissions."""

from __future__ import annotations

import argparse
import html
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from stromalab.cli import main
from stromalab.web.accounts import roles
from stromalab.web.audit.chain import verify_chain
from stromalab.web.audit.models import AuditEvent
from stromalab.web.donors.models import Donor, DonorIdentity
from stromalab.web.screening import models as sm
from stromalab.web.screening.record import evaluate
from stromalab.web.warehouse import actions
from stromalab.web.warehouse.models import CarriedFact, DonorLink, PrescreenResult, PrescreenRun

from .conftest import AS_OF, SCHEDULED_RANDOM

pytestmark = pytest.mark.django_db
IDENTITY = {"last_name": "Durand", "first_name": "Alix"}


def _run(analyst: Any, schedule_file: Path | None = None, source: str = "test") -> PrescreenRun:
    return actions.run_prescreen(source=source, as_of=AS_OF.isoformat(), acting_user=analyst,
                                 schedule=schedule_file.read_bytes() if schedule_file else None,
                                 schedule_name=schedule_file.name if schedule_file else "")


def _cli(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[list[str], list[str]]:
    attrition = tmp_path / "attrition.csv"
    assert main(["prescreen", *args, "--attrition", str(attrition)]) == 0
    out = capsys.readouterr().out
    return out.splitlines()[1:], attrition.read_text().splitlines()[1:]


def _as_csv(run: PrescreenRun) -> tuple[list[str], list[str]]:
    rows = [f"{r.person_id},{r.verdict},{r.failed},{r.unknown}" for r in run.results.order_by("person_id")]
    return rows, [f"{a['criterion']},{a['fails']},{a['remaining']}" for a in run.attrition]


@pytest.mark.parametrize("with_schedule", [True, False])
def test_same_candidates_and_attrition_as_the_cli(analyst: Any, warehouse_db: Path, schedule_file: Path,
                                                  with_schedule: bool, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    run = _run(analyst, schedule_file if with_schedule else None)
    args = ["--omop", str(warehouse_db), "--as-of", AS_OF.isoformat()]
    if with_schedule:
        args += ["--schedule", str(schedule_file)]
    assert _as_csv(run) == _cli(capsys, tmp_path, *args)
    assert run.candidates == run.attrition[-1]["remaining"] > 0
    assert run.population == run.candidates + run.excluded == run.results.count()
    assert (run.schedule_sha256 != "") is with_schedule and run.protocol_id == "NCT05947682"
    event = AuditEvent.objects.get(record_type="warehouse.PrescreenRun", record_id=str(run.pk))
    assert event.action == "prescreen" and event.username == "analyst"


def test_run_from_the_page_shows_candidates_and_attrition(analyst: Any, client_as: Any, schedule_file: Path) -> None:
    client = client_as(roles.WAREHOUSE_ANALYST, analyst)
    with schedule_file.open("rb") as handle:
        response = client.post("/warehouse/", {"source": "test", "as_of": AS_OF.isoformat(), "schedule": handle},
                               follow=True)
    run = PrescreenRun.objects.get()
    body = response.content.decode()
    assert response.status_code == 200 and f'<span id="run-id">{run.pk}</span>' in body
    assert f'<td id="candidates">{run.candidates}</td>' in body
    for a in run.attrition:
        assert f'id="attrition-{a["criterion"]}"' in body
    i1 = run.attrition[0]
    assert f'<td class="fails">{i1["fails"]}</td><td class="remaining">{i1["remaining"]}</td>' in body
    candidate = run.results.filter(verdict="candidate").first()
    assert f'id="person-{candidate.person_id}"' in body
    excluded = run.results.filter(verdict="excluded").first()
    page = client.get(f"/warehouse/runs/{run.pk}/persons/{excluded.person_id}/").content.decode()
    failed = excluded.failed_ids[0]
    assert f'<tr id="criterion-{failed}">' in page and 'data-status="fail"' in page
    assert "Register as donor" not in page  # only candidates can be registered


def _rich_candidate(run: PrescreenRun) -> PrescreenResult:
    """A scheduled random candidate with the most facts to carry (measurements, history)."""
    from stromalab.core.warehouse.engines import open_warehouse
    from stromalab.web.warehouse import sources
    from stromalab.web.warehouse.facts import read_facts

    best, most = None, -1
    with open_warehouse(sources.get(run.source).location) as warehouse:
        for result in run.results.filter(verdict="candidate", person_id__in=list(SCHEDULED_RANDOM)):
            facts = read_facts(warehouse, result.person_id, run.as_of)
            score = len({f.field for f in facts if not f.note}) * 10 + len(facts)
            if score > most:
                best, most = result, score
    assert best is not None
    return best


def test_candidate_becomes_a_donor_with_its_facts_and_their_source(analyst: Any, schedule_file: Path) -> None:
    run = _run(analyst, schedule_file)
    candidate = _rich_candidate(run)
    link = actions.register_candidate(run=run, person_id=candidate.person_id, identity=IDENTITY,
                                      acting_user=analyst)
    donor = link.donor
    assert donor.pseudonym == "NCT05947682-001" and str(candidate.person_id) not in donor.pseudonym
    assert DonorIdentity.objects.get(donor=donor).last_name == "Durand"
    screening = sm.Screening.objects.get(donor=donor)
    facts = list(CarriedFact.objects.filter(link=link))
    carried = {f.field: f for f in facts if f.carried and f.field not in ("condition", "medication")}
    assert {"as_of", "sex", "surgery_procedure", "surgery_date"} <= set(carried)
    assert {"weight_kg", "height_cm"} & set(carried), "the chosen candidate has measurements"
    for field, fact in carried.items():
        value = getattr(screening, field)
        assert str(value.isoformat() if hasattr(value, "isoformat") else value) == fact.value, field
        assert fact.record_type == "screening.Screening" and fact.record_id == str(screening.pk)
        table = {"as_of": "prescreen", "sex": "person", "birth_date": "person"}.get(
            field, "schedule" if field.startswith("surgery") else "measurement")
        assert fact.source == f"warehouse:{run.pk}:{table}"
    coded = [f for f in facts if f.field in ("condition", "medication") and f.carried]
    entries = [*screening.conditions.all(), *screening.medications.all()]
    assert len(entries) == len(coded)
    for f in coded:
        assert f.source in (f"warehouse:{run.pk}:condition_occurrence", f"warehouse:{run.pk}:drug_exposure")
        assert f.record_type in ("screening.Condition", "screening.Medication")
    # the donor's screening evaluates through the core engine; the criteria the warehouse decided agree
    ev = evaluate(screening)
    status = {r["id"]: r["status"] for r in ev.results}
    assert "fail" not in status.values()
    decided = [c for c in run.criteria if c not in candidate.failed_ids + candidate.unknown_ids]
    assert decided and all(status[c] == "pass" for c in decided), {c: status[c] for c in decided}
    # audit: the donor, the link (no person id in the trail), the carried facts, the screening entries
    events = AuditEvent.objects.filter(username="analyst")
    assert events.filter(record_type="donors.Donor", action="create").count() == 1
    link_events = events.filter(record_type="warehouse.DonorLink", record_id=str(link.pk))
    assert set(link_events.values_list("action", flat=True)) == {"create", "carry"}
    assert all(str(candidate.person_id) not in (e.new or "") for e in link_events)
    assert events.filter(record_type="screening.Screening", field="weight_kg").exists() or \
        events.filter(record_type="screening.Screening", field="height_cm").exists()
    assert verify_chain().ok


def test_registering_twice_is_refused(analyst: Any, schedule_file: Path, client_as: Any) -> None:
    run = _run(analyst, schedule_file)
    person = run.results.filter(verdict="candidate").first().person_id
    link = actions.register_candidate(run=run, person_id=person, identity=IDENTITY, acting_user=analyst)
    counts = (Donor.objects.count(), DonorLink.objects.count(), AuditEvent.objects.count())
    with pytest.raises(actions.AlreadyRegistered, match=f"already registered as donor {link.donor.pseudonym}"):
        actions.register_candidate(run=run, person_id=person, identity=IDENTITY, acting_user=analyst)
    second = _run(analyst, schedule_file)  # a later run of the same source: still the same person
    counts = (Donor.objects.count(), DonorLink.objects.count(), AuditEvent.objects.count())
    client = client_as(roles.WAREHOUSE_ANALYST, analyst)
    response = client.post(f"/warehouse/runs/{second.pk}/persons/{person}/", IDENTITY)
    assert response.status_code == 200
    assert f"already registered as donor {link.donor.pseudonym}" in response.content.decode()
    api = client.post(f"/api/warehouse/runs/{second.pk}/persons/{person}/donor", IDENTITY,
                      content_type="application/json")
    assert api.status_code == 409 and link.donor.pseudonym in api.json()["detail"]
    # the GET reads of the link were audited; nothing else was written
    assert (Donor.objects.count(), DonorLink.objects.count()) == counts[:2]
    new = AuditEvent.objects.filter(id__gt=counts[2])
    assert set(new.values_list("action", flat=True)) <= {"read"}


def test_excluded_person_is_not_registered(analyst: Any, schedule_file: Path) -> None:
    run = _run(analyst, schedule_file)
    excluded = run.results.filter(verdict="excluded").first()
    with pytest.raises(ValidationError, match="excluded"):
        actions.register_candidate(run=run, person_id=excluded.person_id, identity=IDENTITY, acting_user=analyst)
    with pytest.raises(ValidationError, match="not in pre-screening run"):
        actions.register_candidate(run=run, person_id=123456789, identity=IDENTITY, acting_user=analyst)
    assert not Donor.objects.exists()


@pytest.mark.parametrize(("as_of", "content", "message"), [
    ("2022-02-30", None, "bad pre-screening date '2022-02-30' (expected YYYY-MM-DD)"),
    ("31/05/2022", None, "bad pre-screening date"),
    ("2022-05-31", b"person_id,date,procedure,site\n2,2022-06-01,lipo,abdomen\n", "missing column anesthesia"),
    ("2022-05-31", b"person_id,date,procedure,site,anesthesia\nx7,2022-06-01,a,b,c\n", "line 2: bad person_id 'x7'"),
    ("2022-05-31", b"person_id,date,procedure,site,anesthesia\n7,06/01/2022,a,b,c\n", "line 2: bad date"),
    ("2022-05-31", b"\xff\xfe\x00garbage", "not UTF-8 text"),
    ("2022-05-31", b"", "empty file"),
])
def test_bad_inputs_store_nothing(analyst: Any, client_as: Any, as_of: str, content: bytes | None,
                                  message: str) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as info:
        actions.run_prescreen(source="test", as_of=as_of, schedule=content, schedule_name="or.csv",
                              acting_user=analyst)
    assert message in str(info.value)
    if content is not None:
        assert "schedule or.csv" in str(info.value)  # names the upload, not a temporary file
    client = client_as(roles.WAREHOUSE_ANALYST, analyst)
    data: dict[str, Any] = {"source": "test", "as_of": as_of}
    if content is not None:
        data["schedule"] = io.BytesIO(content)
        data["schedule"].name = "or.csv"
    response = client.post("/warehouse/", data)
    shown = "The submitted file is empty" if content == b"" else message  # Django's check
    assert response.status_code == 200 and shown in html.unescape(response.content.decode())
    assert not PrescreenRun.objects.exists() and not PrescreenResult.objects.exists()
    assert AuditEvent.objects.count() == events


def test_unknown_source_and_missing_table(analyst: Any, tmp_path: Path, settings: Any,
                                          warehouse_db: Path) -> None:
    with pytest.raises(ValidationError, match="unknown warehouse source '/etc/passwd'"):
        actions.run_prescreen(source="/etc/passwd", as_of="2022-05-31", acting_user=analyst)
    empty = tmp_path / "empty"
    empty.mkdir()
    settings.STROMALAB_WAREHOUSES = f"test={warehouse_db};empty={empty};bad entry"
    with pytest.raises(ValidationError, match="empty: missing table person"):
        actions.run_prescreen(source="empty", as_of="2022-05-31", acting_user=analyst)
    from stromalab.web.warehouse import sources

    assert [s.name for s in sources.configured()] == ["test", "empty", "demo"]
    assert not PrescreenRun.objects.exists()


def test_demo_source_is_generated_on_first_use(analyst: Any, client_as: Any, settings: Any) -> None:
    client = client_as(roles.WAREHOUSE_ANALYST, analyst)
    schedule = client.get("/warehouse/demo/schedule.csv")
    assert schedule.status_code == 200
    content = b"".join(schedule.streaming_content)
    assert content.startswith(b"person_id,date,procedure,site,anesthesia")
    assert (Path(settings.VAR_DIR) / "warehouse-demo" / "omop.duckdb").is_file()
    run = actions.run_prescreen(source="demo", as_of=AS_OF.isoformat(), schedule=content,
                                schedule_name="demo-schedule.csv", acting_user=analyst)
    assert run.population == len({line.split(b",")[0] for line in content.splitlines()[1:]})
    assert 0 < run.candidates < run.population


def test_createuser_accepts_the_role(capsys: pytest.CaptureFixture[str]) -> None:
    from stromalab.commands import createuser
    from stromalab.web.accounts.models import User

    code = createuser.run(argparse.Namespace(role="warehouse_analyst", username="wa", first_name="W",
                                             last_name="A", email="", password_stdin=False))
    assert code == 0 and User.objects.get(username="wa").get_role_display() == "Data-warehouse analyst"


def test_permissions_with_a_real_run(analyst: Any, schedule_file: Path, client_as: Any) -> None:
    """Every warehouse URL and API operation against every role, on an existing run and person
    (the global matrix, tests/web/test_permissions.py, checks them on a missing run)."""
    from stromalab.web.warehouse.permissions import READERS, REGISTRARS, RUNNERS

    run = _run(analyst, schedule_file)
    person = run.results.filter(verdict="candidate").first().person_id
    base = f"/warehouse/runs/{run.pk}"
    pages = [("get", "/warehouse/", READERS), ("get", f"{base}/", READERS),
             ("get", f"{base}/persons/{person}/", READERS), ("post", "/warehouse/", RUNNERS),
             ("post", f"{base}/persons/{person}/", REGISTRARS)]
    apis = [("get", "/api/warehouse/sources", READERS), ("get", "/api/warehouse/runs", READERS),
            ("get", f"/api/warehouse/runs/{run.pk}", READERS),
            ("get", f"/api/warehouse/runs/{run.pk}/results", READERS),
            ("get", f"/api/warehouse/runs/{run.pk}/persons/{person}", READERS),
            ("post", "/api/warehouse/runs", RUNNERS),
            ("post", f"/api/warehouse/runs/{run.pk}/persons/{person}/donor", REGISTRARS)]
    problems = []
    for role in roles.ALL:
        client = client_as(role)
        for method, url, allowed in pages + apis:
            # empty POSTs: a form error (200) or a 422, never a registration
            code = getattr(client, method)(url, **({"data": "{}", "content_type": "application/json"}
                                                   if url.startswith("/api/") and method == "post" else {})).status_code
            ok = (code != 403 and code < 500) if role in allowed else code == 403
            if not ok:
                problems.append(f"{role} {method.upper()} {url} -> {code}")
    assert not problems
    assert not Donor.objects.exists()
    anonymous = Client()
    assert anonymous.get(f"{base}/").status_code == 302
    assert anonymous.get(f"/api/warehouse/runs/{run.pk}").status_code == 401
    with pytest.raises(PermissionDenied):
        actions.run_prescreen(source="test", as_of="2022-05-31", acting_user=client_as(roles.COORDINATOR).user)


def test_api_run_and_register(analyst: Any, schedule_file: Path, client_as: Any) -> None:
    client = client_as(roles.WAREHOUSE_ANALYST, analyst)
    with schedule_file.open("rb") as handle:
        response = client.post("/api/warehouse/runs", {"source": "test", "as_of": AS_OF.isoformat(),
                                                       "schedule": handle})
    assert response.status_code == 201, response.content
    run = response.json()
    assert run["candidates"] == run["attrition"][-1]["remaining"]
    results = client.get(f"/api/warehouse/runs/{run['id']}/results?verdict=candidate").json()["items"]
    person = results[0]["person_id"]
    bad = client.post("/api/warehouse/runs", {"source": "test", "as_of": "2022-13-01"})
    assert bad.status_code == 400 and "bad pre-screening date" in str(bad.json()["detail"])
    made = client.post(f"/api/warehouse/runs/{run['id']}/persons/{person}/donor", IDENTITY,
                       content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["donor"] == "NCT05947682-001" and body["person_id"] == person
    assert all(f["source"].startswith(f"warehouse:{run['id']}:") for f in body["facts"])
    detail = client.get(f"/api/warehouse/runs/{run['id']}/persons/{person}").json()
    assert detail["donor"] == "NCT05947682-001" and detail["link"]["facts"]
    # the monitor reads the trail, not the link: no person id there
    assert client_as(roles.MONITOR).get(f"/api/warehouse/runs/{run['id']}").status_code == 200
    assert client_as(roles.OPERATOR).get(f"/api/warehouse/runs/{run['id']}").status_code == 403
    reads = AuditEvent.objects.filter(action="read", record_type="warehouse.DonorLink", username="analyst")
    assert reads.count() >= 1
