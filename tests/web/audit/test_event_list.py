"""The audit trail pages as people read them: names and labels instead of keys (read in bulk),
changes spelled out and escaped, the kind in words, local times with the zone named, filters,
keyset pages that never count the trail, and who may read which trail."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stromalab.web.audit.actions import record_changes, record_event
from stromalab.web.audit.kinds import EventKind
from stromalab.web.audit.models import AuditEvent
from stromalab.web.audit.trail import PAGE_SIZE

pytestmark = pytest.mark.django_db


def _many_changes(user: Any, n: int) -> None:
    with transaction.atomic():
        record_changes(acting_user=user, record=user, require_reason=False,
                       changes={f"field{i}": (None, i) for i in range(n)})


def test_names_and_labels_not_keys(eligible_donor: Callable[..., Any], client_as: Callable[..., Any]) -> None:
    donor = eligible_donor()
    coordinator = eligible_donor.coordinator  # type: ignore[attr-defined]
    # the donor's own events (the trail's first page holds the newest 50 of every record)
    html = client_as("monitor").get(f"/audit/?person={coordinator.pk}&record={donor.pseudonym}").content.decode()
    html = html.split('id="trail"')[1]
    assert f"Donor {donor.pseudonym}" in html
    assert f"Screening of donor {donor.pseudonym}" in html
    assert f"{coordinator.first_name} {coordinator.last_name} ({coordinator.username})" in html
    assert "donors.Donor" not in html and "screening.Screening:" not in html
    assert "created" in html  # the kind in words


def test_labels_are_read_in_bulk_not_per_event(eligible_donor: Callable[..., Any],
                                               client_as: Callable[..., Any]) -> None:
    eligible_donor()
    client = client_as("monitor")
    client.get("/audit/")  # session, nav: warm
    with CaptureQueriesContext(connection) as one:
        client.get("/audit/")
    for _ in range(3):
        eligible_donor()
    assert AuditEvent.objects.count() > PAGE_SIZE  # a full page, of the same record types
    with CaptureQueriesContext(connection) as four:
        client.get("/audit/")
    assert len(four.captured_queries) <= len(one.captured_queries)
    screening_reads = [q for q in four.captured_queries if 'FROM "screening_screening"' in q["sql"]]
    assert len(screening_reads) == 1  # four donors' screenings named by one query


def test_changes_are_spelled_out_and_escaped(make_user: Callable[..., Any], client_as: Callable[..., Any]) -> None:
    user = make_user("coordinator")
    with transaction.atomic():
        record_changes(acting_user=user, record=user, reason="typo <b>fixed</b>", changes={
            "last_name": ("<script>alert(1)</script>", "Martin"),
            "tags": (None, ["a", "b"]),
            "extra": (None, {"is_active": True, "note": None}),
        })
    html = client_as("monitor").get("/audit/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<strong>last name</strong>: <del>&lt;script&gt;" in html and "</del> → Martin" in html
    assert "a, b" in html
    assert "active: yes" in html and "note: —" in html
    assert "typo &lt;b&gt;fixed&lt;/b&gt;" in html


def test_times_are_local_to_the_second_with_the_zone_named(make_user: Callable[..., Any],
                                                          client_as: Callable[..., Any], settings: Any) -> None:
    settings.TIME_ZONE = "America/New_York"
    _many_changes(make_user("coordinator"), 1)
    event = AuditEvent.objects.latest("id")
    html = client_as("monitor").get("/audit/").content.decode()
    assert "When (America/New_York)" in html
    local = dt.datetime.fromisoformat(event.at.replace("Z", "+00:00")).astimezone(ZoneInfo("America/New_York"))
    assert f'<time datetime="{event.at}">{local:%Y-%m-%d %H:%M:%S} {local.tzname()}</time>' in html


def test_filters(eligible_donor: Callable[..., Any], make_user: Callable[..., Any],
                 client_as: Callable[..., Any]) -> None:
    donor = eligible_donor()
    other = eligible_donor()
    coordinator = eligible_donor.coordinator  # type: ignore[attr-defined]
    client = client_as("monitor")

    def ids(**params: Any) -> set[int]:
        found: set[int] = set()
        older: int | None = 0
        while older is not None:
            shown = client.get("/audit/", {**params, **({"before": older} if older else {})}).context["page"]
            found |= {e.id for e in shown.events}
            older = shown.older
        return found

    everything = set(AuditEvent.objects.values_list("id", flat=True))
    assert ids() == everything
    assert ids(person=coordinator.pk) == set(AuditEvent.objects.filter(user=coordinator).values_list("id", flat=True))
    assert ids(kind="create") == set(AuditEvent.objects.filter(action="create").values_list("id", flat=True))
    assert ids(record_type="donors.Donor", record=donor.pseudonym) == set(AuditEvent.objects.filter(
        record_type="donors.Donor", record_id=str(donor.pk)).values_list("id", flat=True)) != set()
    assert ids(record=other.pseudonym) == set(AuditEvent.objects.filter(
        subject=other.pseudonym).values_list("id", flat=True))
    today = timezone.localdate()
    assert ids(date_from=today.isoformat(), date_to=today.isoformat()) == everything
    assert ids(date_from=(today + dt.timedelta(days=1)).isoformat()) == set()
    assert ids(date_to=(today - dt.timedelta(days=1)).isoformat()) == set()

    refused = client.get("/audit/", {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert refused.context["form"].errors == {"date_to": ["must not be before the start date"]}
    assert "must not be before the start date" in refused.content.decode()


def test_pages_follow_the_key_and_never_count(make_user: Callable[..., Any], client_as: Callable[..., Any]) -> None:
    user = make_user("coordinator")
    _many_changes(user, 2 * PAGE_SIZE + 50)
    total = AuditEvent.objects.count()
    client = client_as("monitor")

    with CaptureQueriesContext(connection) as queries:
        first = client.get("/audit/").context["page"]
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts == []
    assert [e.id for e in first.events] == list(range(total, total - PAGE_SIZE, -1))
    assert first.newer is None and first.older == total - PAGE_SIZE + 1

    seen = [e.id for e in first.events]
    cursor = first.older
    while cursor is not None:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/audit/", {"person": user.pk, "before": cursor})
        assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
        assert 'id="trail-newer"' in response.content.decode()
        current = response.context["page"]
        seen += [e.id for e in current.events]
        cursor = current.older
    own = list(AuditEvent.objects.filter(user=user).order_by("-id").values_list("id", flat=True))
    assert seen[PAGE_SIZE:] == [i for i in own if i < seen[PAGE_SIZE - 1]]

    second = client.get("/audit/", {"before": first.older}).context["page"]
    assert second.newer == first.older - 1
    back = client.get("/audit/", {"after": second.newer}).context["page"]
    assert [e.id for e in back.events] == [e.id for e in first.events]
    assert back.newer is None


def _export(client: Any, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    return b"".join(response.streaming_content).decode()


def test_csv_export_is_safe_and_audited(make_user: Callable[..., Any], client_as: Callable[..., Any]) -> None:
    user = make_user("coordinator")
    with transaction.atomic():
        record_changes(acting_user=user, record=user, require_reason=False, changes={
            "a": (None, "=HYPERLINK(\"http://x\")"), "b": (None, "+1"), "c": (None, "-2"),
            "d": (None, "@SUM(A1)"), "e": (None, "\tx"), "f": (None, "\rx"), "g": (None, "plain"),
        })
    client = client_as("monitor")
    rows = list(csv.reader(io.StringIO(_export(client, "/audit/export.csv", person=user.pk), newline="")))
    assert rows[0][1] == "When (Europe/Paris)" and rows[0][11:13] == ["Before", "After"]
    after = {row[10]: row[12] for row in rows[1:]}
    assert after == {"a": "'=HYPERLINK(\"http://x\")", "b": "'+1", "c": "'-2", "d": "'@SUM(A1)",
                     "e": "'\tx", "f": "'\rx", "g": "plain"}

    export = AuditEvent.objects.latest("id")
    assert export.action == EventKind.EXPORT == "export"
    assert export.user_id == client.user.pk
    assert f'"person":"{user.pk}"' in (export.new or "")
    assert all(int(row[0]) < export.id for row in rows[1:])
    html = client.get("/audit/", {"kind": "export"}).content.decode()
    assert "audit trail exported" in html


def test_kinds_in_french(make_user: Callable[..., Any], client_as: Callable[..., Any]) -> None:
    user = make_user("coordinator")
    _many_changes(user, 1)
    client = client_as("monitor")
    html = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "modifié" in html and "Quand (Europe/Paris)" in html
    assert 'data-label="Quand"' in html and 'data-label="Avant → après"' in html  # the rows' own labels
    assert f"Compte {user.username}" in html and '<option value="manufacturing.Batch">Lot</option>' in html


@pytest.fixture()
def batch(eligible_donor: Callable[..., Any], make_user: Callable[..., Any]) -> Any:
    """A batch and a container, rows made directly (manufacturing's steps are its own tests')."""
    from stromalab.web.manufacturing.models import Batch, Container, Donation

    operator = make_user("operator")
    donor = eligible_donor()
    din = f"G1234{dt.date.today():%y}000001"
    with transaction.atomic():
        donation = Donation.objects.create(donor=donor, din=din, fin="G1234", year=int(din[5:7]), sequence=1,
                                           collected_at=timezone.now(), created_by=operator)
        made = Batch.objects.create(donation=donation, code=din, din=din, product_code="S1234",
                                    product_description="MSC(AT)", created_by=operator)
        record_event(acting_user=operator, action=EventKind.CREATE, record=made, new={"status": made.status})
        container = Container.objects.create(batch=made, din=din, division="A0", product_code="S1234",
                                             product_description="MSC(AT)")
        record_event(acting_user=operator, action=EventKind.CREATE, record=container, new={"status": "quarantine"})
    return made


@pytest.mark.parametrize("role", ["qualified_person", "operator", "qc_analyst"])
def test_batch_people_read_the_batch_trail(batch: Any, role: str, client_as: Callable[..., Any]) -> None:
    client = client_as(role)
    page = client.get(f"/manufacturing/batches/{batch.code}/").content.decode()
    assert f'href="/audit/subject/{batch.code}/"' in page
    response = client.get(f"/audit/subject/{batch.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Batch {batch.code}" in html and f"Container {batch.code} S1234 A0" in html
    assert "status: quarantine" in html
    assert {e.subject for e in response.context["page"].events} == {batch.code}
    assert client.get(f"/audit/subject/{batch.code}/export.csv").status_code == 200

    donor = batch.donation.donor.pseudonym
    refused = client.get(f"/audit/subject/{donor}/")
    assert refused.status_code == 403
    assert 'id="forbidden-reason"' in refused.content.decode()
    assert f"“{donor}” is not a batch" in refused.content.decode()
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


def test_administrator_sees_who_and_what_not_values(batch: Any, client_as: Callable[..., Any]) -> None:
    html = client_as("administrator").get(f"/audit/subject/{batch.code}/").content.decode()
    assert f"Batch {batch.code}" in html
    assert "(withheld: study data)" in html and "status: quarantine" not in html


def test_a_change_named_after_a_reverse_relation_reads_by_its_key() -> None:
    """An FCS panel's creation event lists its ``files``: a reverse relation, with no verbose name."""
    from stromalab.web.audit.labels import field_label

    assert field_label("quality.FcsPanel", "files") == "files"
    assert field_label("donors.Donor", "pseudonym") == "pseudonym"


def test_the_filter_form_is_rendered_once_per_search_and_never_stale(
        client_as: Callable[..., Any], make_user: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Paging through a search renders its filter form once (cached under the values typed, the
    choices offered and the language); other values, a new person or another language render it
    again, never show an earlier one."""
    from stromalab.web.audit.trail import TrailFilter

    monitor = make_user("monitor")
    _many_changes(monitor, 2 * PAGE_SIZE + 5)
    rendered: list[str] = []
    as_p = TrailFilter.as_p

    def counted(form: Any) -> Any:
        rendered.append(str(form.data.get("kind", "")))
        return as_p(form)

    monkeypatch.setattr(TrailFilter, "as_p", counted)
    client = client_as("monitor", monitor)
    first = client.get("/audit/?kind=update").content.decode()
    older = first.split('id="trail-older" href="?')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(f"/audit/?{older}").content.decode()
    assert rendered == ["update"]  # the second page of the same search reused the form
    form_html = first.split('id="trail-filter">')[1].split("</form>")[0]
    assert form_html == second.split('id="trail-filter">')[1].split("</form>")[0]
    assert '<option value="update" selected>' in form_html

    other = client.get("/audit/?kind=create").content.decode()
    assert rendered == ["update", "create"] and '<option value="create" selected>' in other
    make_user("investigator", first_name="Zoé", last_name="Nouvelle")
    again = client.get("/audit/?kind=create").content.decode()
    assert "Nouvelle" in again.split('id="trail-filter">')[1].split("</form>")[0]
    client.post("/i18n/setlang/", {"language": "fr", "next": "/audit/"})
    french = client.get("/audit/?kind=create").content.decode()
    assert "Personne" in french.split('id="trail-filter">')[1].split("</form>")[0]
    assert len(rendered) == 4
    for _ in range(2):  # a typed record (free text: a name, maybe) is never kept in the cache
        assert "Martin" in client.get("/audit/?record=Martin").content.decode().split('id="trail-filter">')[1]
    assert len(rendered) == 6
