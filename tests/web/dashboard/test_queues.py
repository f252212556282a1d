"""Each role's dashboard lists what waits for it, with links to where the work is done, the
right totals, a "see all" page beyond the first rows, and a query count that does not grow with
the number of rows."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stromalab.web.dashboard import queues
from stromalab.web.manufacturing.models import Batch, Deviation, Step
from stromalab.web.screening.models import DataQuery, Screening

from .conftest import World

pytestmark = pytest.mark.django_db


def _queue(page: str, key: str) -> str:
    match = re.search(rf'<section class="queue" id="queue-{key}">(.*?)</section>', page, re.S)
    assert match, f"no queue {key} on the page"
    return match.group(1)


def _links(section: str) -> list[str]:
    return re.findall(r'<li><a href="([^"]+)">', section)


def _total(section: str) -> int:
    return int(re.search(r'<span class="total">(\d+)</span>', section).group(1))  # type: ignore[union-attr]


@pytest.fixture()
def clinic(world: World) -> dict[str, Any]:
    w, now = world, timezone.now()
    fresh = w.donor()
    incomplete = w.donor("incomplete")
    w.donor(withdrawn_at=now)  # withdrawn: nothing to do
    w.donor(voided_at=now, void_reason="duplicate")  # voided: nothing to do
    unsigned = w.donor("eligible", consent="signed")
    signed = w.donor("ineligible", result_status={"E2": "fail"})
    w.decision(signed)
    stale = w.donor("eligible", consent="signed")
    w.decision(stale)
    Screening.objects.filter(donor=stale).update(updated_at=timezone.now() + timezone.timedelta(seconds=5))
    w.decision(w.donor("eligible", consent="signed"), signed=False)  # decision row left unsigned: to sign
    open_q = w.query(incomplete, DataQuery.OPEN)
    answered = w.query(incomplete, DataQuery.ANSWERED, criterion="E11")
    w.query(incomplete, DataQuery.CLOSED)
    return {"fresh": fresh, "incomplete": incomplete, "unsigned": unsigned, "stale": stale, "open": open_q,
            "answered": answered}


@pytest.fixture()
def factory(world: World) -> dict[str, Any]:
    w = world
    receiving = w.batch(Batch.IN_PROCESS, steps=((Step.HARVEST, 0, Step.DONE),))
    culturing = w.batch(Batch.IN_PROCESS, steps=((Step.HARVEST, 0, Step.DONE), (Step.RECEIPT, 0, Step.DONE),
                                                  (Step.ISOLATION, 0, Step.DONE), (Step.PASSAGE, 0, Step.IN_PROGRESS)))
    frozen = w.batch(Batch.QUARANTINE, steps=((Step.FREEZING, 0, Step.DONE),))
    stored = w.batch(Batch.QUARANTINE, steps=((Step.FREEZING, 0, Step.DONE), (Step.STORAGE, 0, Step.DONE)))
    w.isct(stored, missing=("hla-dr",))  # QC not complete
    complete = w.batch(Batch.QUARANTINE, steps=((Step.STORAGE, 0, Step.DONE),))
    for test in ("viability", "cell-count", "sterility", "mycoplasma", "endotoxin", "karyotype"):
        w.result(complete, test)
    w.isct(complete, failing=("cd90",))
    oos = w.oos(w.batch(Batch.QUARANTINE, steps=((Step.STORAGE, 0, Step.DONE),)))
    w.batch(Batch.VOIDED)
    released = w.batch(Batch.RELEASED, steps=((Step.STORAGE, 0, Step.DONE),))
    deviation = w.deviation(receiving)
    w.deviation(culturing, status=Deviation.CLOSED)
    return {"receiving": receiving, "culturing": culturing, "frozen": frozen, "stored": stored,
            "complete": complete, "oos": oos, "released": released, "deviation": deviation}


def test_investigator_sees_donors_to_screen_queries_and_decisions_to_sign(
        clinic: dict[str, Any], client_as: Callable[..., Any]) -> None:
    page = client_as("investigator").get("/").content.decode()
    screen = _queue(page, "donors_to_screen")
    assert _links(screen) == [f"/screening/{clinic['fresh'].pseudonym}/", f"/screening/{clinic['incomplete'].pseudonym}/"]
    assert "not screened yet" in screen and "screening incomplete" in screen
    assert _links(_queue(page, "queries_to_answer")) == [f"/screening/queries/{clinic['open'].pk}/"]
    sign = _queue(page, "screenings_to_sign")
    assert _total(sign) == 3
    assert {f"/screening/{clinic[k].pseudonym}/decision/" for k in ("unsigned", "stale")} <= set(_links(sign))
    assert "queue-queries_to_close" not in page and "queue-batch_steps" not in page
    assert "Welcome" not in page


def test_coordinator_has_no_signatures_to_give(clinic: dict[str, Any], client_as: Callable[..., Any]) -> None:
    page = client_as("coordinator").get("/").content.decode()
    assert _total(_queue(page, "donors_to_screen")) == 2 and _total(_queue(page, "queries_to_answer")) == 1
    assert "queue-screenings_to_sign" not in page


def test_data_manager_and_monitor_see_queries_to_answer_and_to_close(
        clinic: dict[str, Any], client_as: Callable[..., Any]) -> None:
    for role in ("data_manager", "monitor"):
        page = client_as(role).get("/").content.decode()
        assert _links(_queue(page, "queries_to_answer")) == [f"/screening/queries/{clinic['open'].pk}/"]
        assert _links(_queue(page, "queries_to_close")) == [f"/screening/queries/{clinic['answered'].pk}/"]


def test_operator_sees_the_next_steps_and_open_deviations(factory: dict[str, Any],
                                                         client_as: Callable[..., Any]) -> None:
    page = client_as("operator").get("/").content.decode()
    steps = _queue(page, "batch_steps")
    codes = [factory[k].code for k in ("receiving", "culturing", "frozen")]
    assert _links(steps) == [f"/manufacturing/batches/{code}/" for code in codes]
    assert f"{codes[0]}</a> — receipt" in steps and f"{codes[1]}</a> — harvest the passage" in steps
    assert f"{codes[2]}</a> — storage" in steps
    deviations = _queue(page, "deviations_open")
    assert _links(deviations) == [f"/manufacturing/batches/{codes[0]}/#deviation-{factory['deviation'].pk}"]


def test_qc_analyst_sees_oos_and_batches_awaiting_qc(factory: dict[str, Any], client_as: Callable[..., Any]) -> None:
    page = client_as("qc_analyst").get("/").content.decode()
    assert _links(_queue(page, "oos_open")) == [f"/quality/oos/{factory['oos'].pk}/"]
    awaiting = _links(_queue(page, "batches_awaiting_qc"))
    assert f"/quality/batches/{factory['stored'].code}/" in awaiting
    assert f"/quality/batches/{factory['complete'].code}/" not in awaiting
    assert f"/quality/batches/{factory['released'].code}/" not in awaiting


def test_qualified_person_sees_batches_awaiting_release_oos_and_deviations(
        factory: dict[str, Any], client_as: Callable[..., Any]) -> None:
    page = client_as("qualified_person").get("/").content.decode()
    assert _links(_queue(page, "batches_awaiting_release")) == [f"/quality/batches/{factory['complete'].code}/release/"]
    assert _total(_queue(page, "oos_open")) == 1 and _total(_queue(page, "deviations_open")) == 1


@pytest.mark.parametrize("role", ["administrator", "warehouse_analyst"])
def test_roles_without_queue_are_told_so(role: str, study: Any, client_as: Callable[..., Any]) -> None:
    page = client_as(role).get("/").content.decode()
    assert 'id="no-queue"' in page and "Welcome" not in page


def test_first_rows_then_see_all_page(world: World, client_as: Callable[..., Any]) -> None:
    donors = [world.donor() for _n in range(queues.SHOWN + 3)]
    client = client_as("coordinator")
    section = _queue(client.get("/").content.decode(), "donors_to_screen")
    assert _total(section) == queues.SHOWN + 3 and len(_links(section)) == queues.SHOWN
    assert 'href="/queues/donors_to_screen/"' in section
    full = client.get("/queues/donors_to_screen/").content.decode()
    assert all(f'href="/screening/{d.pseudonym}/"' in full for d in donors)
    assert client.get("/queues/batch_steps/").status_code == 404  # another role's queue
    assert client.get("/queues/nonsense/").status_code == 404


def test_donors_to_screen_total_from_the_donor_counts_is_the_queue_length(world: World) -> None:
    """Past the first rows the queue's total is the dashboard's donor count, not a count of its
    own: it must be exactly the queue's rows (withdrawn and voided donors left out, an
    incomplete screening kept, a finished one left out)."""
    now = timezone.now()
    for _n in range(queues.SHOWN):
        world.donor()
        world.donor("incomplete")
        world.donor(withdrawn_at=now)
        world.donor(voided_at=now, void_reason="duplicate")
        world.donor("eligible")
        world.donor("ineligible", result_status={"E2": "fail"})
    world.donor("incomplete", withdrawn_at=now)
    kind = queues.KINDS["donors_to_screen"]
    with CaptureQueriesContext(connection) as captured:
        queue = queues.build(kind, world.study)
    assert queue.total == kind.rows(world.study).count() == 2 * queues.SHOWN
    assert not [q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT COUNT(*) AS "__count"')]


def test_queues_in_french(clinic: dict[str, Any], client_as: Callable[..., Any]) -> None:
    client = client_as("investigator")
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    page = client.get("/").content.decode()
    assert "Donneurs à sélectionner" in page and "Décisions d'éligibilité à signer" in html.unescape(page)
    assert "pas encore sélectionné" in page


def _queries(client: Any, path: str = "/") -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def _grow(world: World, n: int) -> None:
    """``n`` more rows in every queue."""
    for _i in range(n):
        donor = world.donor("incomplete")
        world.query(donor, DataQuery.OPEN)
        world.query(donor, DataQuery.ANSWERED)
        world.decision(world.donor("eligible", consent="signed"), signed=False)
        batch = world.batch(Batch.IN_PROCESS, steps=((Step.HARVEST, 0, Step.DONE),))
        world.deviation(batch)
        world.oos(world.batch(Batch.QUARANTINE))
        world.isct(world.batch(Batch.QUARANTINE))


@pytest.mark.parametrize("role", ["investigator", "coordinator", "data_manager", "monitor", "operator",
                                  "qc_analyst", "qualified_person"])
def test_query_count_does_not_grow_with_the_rows(role: str, world: World, client_as: Callable[..., Any],
                                                 django_assert_max_num_queries: Any) -> None:
    client = client_as(role)
    _grow(world, 1)
    few = _queries(client)
    _grow(world, queues.SHOWN + 5)
    many = _queries(client)
    # longer than the first rows shown: each queue counts its rows once more, nothing per row
    assert many <= few + len(queues.kinds_for(role))
    with django_assert_max_num_queries(30):
        client.get("/")
    assert _queries(client, f"/queues/{queues.kinds_for(role)[0].key}/") <= 12
