"""The list pages' CSV and Excel exports (web/exports/tables): each holds what its page shows
under the same filters, for the page's roles only; identity columns for identity readers only;
cells a spreadsheet would evaluate neutralised; every download an audited export with its hash."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest

from stromalab.web.audit.kinds import EventKind
from stromalab.web.audit.models import AuditEvent
from stromalab.web.exports.tables import TABLES

from .conftest import IDENTITY, identity_strings
from .tables_helpers import body, csv_rows, page_table, squeeze

INJECTIONS = ['=HYPERLINK("http://evil.example","click")', "-2+3", "+cmd|' /C calc'!A0", "@SUM(A1:A2)",
              "\tpadded", "\rreturn"]


def _exports() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=EventKind.DATA_EXPORT).order_by("id"))


@pytest.fixture()
def world(populated: dict[str, Any], stored_batch: Any, make_user: Callable[..., Any]) -> dict[str, Any]:
    """The export fixtures' donors and batch, data queries (one answered, the others open, their
    texts each a spreadsheet formula) and a warehouse pre-screening run."""
    from stromalab.web.screening import actions
    from stromalab.web.warehouse.models import PrescreenRun

    manager = make_user("data_manager")
    queries = [actions.open_query(donor=populated["identified"], criterion_id=f"E{n}", text=text,
                                  acting_user=manager) for n, text in enumerate(INJECTIONS, start=1)]
    actions.answer_query(query=queries[0], text="checked", acting_user=populated["coordinator"])
    PrescreenRun.objects.create(source="demo", engine="duckdb", as_of="2026-03-02", protocol_id="NCT05947682",
                                protocol_version="2.0", population=1000, candidates=12, excluded=988,
                                created_by=make_user("warehouse_analyst"))
    return {**populated, "batch": stored_batch, "queries": queries, "manager": manager}


def unprefixed(cell: str) -> str:
    """The cell as the page shows it: without the ``'`` that keeps a spreadsheet from evaluating it."""
    return squeeze(cell.removeprefix("'"))


def _same(client: Any, page: str, table: str, query: str, pairs: list[tuple[int, int]], table_id: str = "") -> list[list[str]]:
    """Assert that the CSV of ``table`` under ``query`` holds the page's rows, cell by cell
    (``pairs``: page column, CSV column; the page's "—" is an empty cell); the CSV's rows."""
    shown = page_table(client.get(f"{page}?{query}").content.decode(), table_id)
    response = client.get(f"/exports/tables/{table}.csv?{query}")
    assert response.status_code == 200, response.content
    rows = csv_rows(body(response))
    assert len(rows) == len(shown) > 1
    for page_row, csv_row in zip(shown[1:], rows[1:], strict=True):
        assert [page_row[p].replace("—", "") for p, _ in pairs] == [unprefixed(csv_row[c]) for _, c in pairs]
    return rows


def test_donors_csv_is_the_page_under_its_search(world: dict[str, Any], client_as: Callable[..., Any]) -> None:
    client = client_as("data_manager")
    rows = _same(client, "/donors/", "donors", f"q={world['identified'].pseudonym}", [(0, 0), (1, 1), (2, 2), (3, 3)])
    assert [r[0] for r in rows[1:]] == [world["identified"].pseudonym]
    rows = _same(client, "/donors/", "donors", "", [(0, 0), (1, 1), (2, 2), (3, 3)])
    assert len(rows) == 4 and any("withdrawn" in r[1] for r in rows)


def test_data_queries_csv_is_the_page_under_its_status(world: dict[str, Any], client_as: Callable[..., Any]) -> None:
    client = client_as("data_manager")
    everything = [(n, n) for n in range(6)]
    # header and rows: open ones by default (all but the answered one), all, the answered one
    assert len(_same(client, "/screening/queries/", "data-queries", "", everything)) == 1 + len(INJECTIONS) - 1
    assert len(_same(client, "/screening/queries/", "data-queries", "status=all", everything)) == 1 + len(INJECTIONS)
    assert len(_same(client, "/screening/queries/", "data-queries", "status=answered", everything)) == 1 + 1


def test_screening_log_csv_is_the_dashboard_s(world: dict[str, Any], client_as: Callable[..., Any]) -> None:
    rows = _same(client_as("data_manager"), "/", "screening-log", "", [(0, 0), (1, 1), (2, 2)], "screening-log")
    assert rows[1][:2] == ["Registered", "3"]


@pytest.mark.parametrize(("page", "table", "table_id", "pairs"), [
    ("/manufacturing/", "batches", "", [(0, 0), (1, 1), (2, 2), (3, 3)]),
    ("/quality/", "qc-batches", "batches", [(n, n) for n in range(6)]),
    ("/warehouse/", "warehouse-runs", "runs", [(n, n) for n in range(9)]),
])
def test_monitor_tables_are_their_pages(page: str, table: str, table_id: str, pairs: list[tuple[int, int]],
                                       world: dict[str, Any], client_as: Callable[..., Any]) -> None:
    _same(client_as("monitor"), page, table, "", pairs, table_id)


def test_batches_csv_follows_the_search(world: dict[str, Any], client_as: Callable[..., Any]) -> None:
    client = client_as("monitor")
    code = world["batch"].code
    assert [r[0] for r in _same(client, "/manufacturing/", "batches", f"q={code}", [(0, 0)])[1:]] == [code]
    response = client.get("/exports/tables/batches.csv?q=no-such-batch")
    assert csv_rows(body(response))[1:] == []


def test_audit_trail_csv_is_the_page_under_its_filters(world: dict[str, Any], client_as: Callable[..., Any]) -> None:
    # a filter the page shows whole (a page holds 50 events): the data queries' events
    rows = _same(client_as("monitor"), "/audit/", "audit-trail", "record_type=screening.DataQuery",
                 [(0, 0), (1, 1), (2, 3), (3, 5), (4, 6), (6, 13)], "trail")
    assert 1 < len(rows) <= 51


def test_excel_cells_are_typed(world: dict[str, Any], client_as: Callable[..., Any]) -> None:
    import datetime as dt

    client = client_as("data_manager")
    book = openpyxl.load_workbook(io.BytesIO(body(client.get("/exports/tables/data-queries.xlsx?status=all"))))
    sheet = book.worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header == ("#", "Donor", "Criterion", "Question", "Status", "Opened")
    assert len(rows) == len(INJECTIONS)
    assert all(isinstance(r[0], int) and isinstance(r[5], dt.datetime) for r in rows)
    donors = openpyxl.load_workbook(io.BytesIO(body(client.get("/exports/tables/donors.xlsx")))).worksheets[0]
    registered = [row[3] for row in donors.iter_rows(min_row=2)]
    assert registered and all(cell.is_date and cell.value.date() == dt.date.today() for cell in registered)
    qc = openpyxl.load_workbook(io.BytesIO(body(client_as("monitor").get("/exports/tables/qc-batches.xlsx"))))
    [row] = list(qc.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert row[0] == world["batch"].code and isinstance(row[3], int) and isinstance(row[4], int)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formulas_are_neutralised(fmt: str, world: dict[str, Any], client_as: Callable[..., Any]) -> None:
    import csv

    stored = {q.text for q in world["queries"]}
    assert {t[0] for t in stored} == {"=", "-", "+", "@", "\t", "\r"}
    content = body(client_as("data_manager").get(f"/exports/tables/data-queries.{fmt}?status=all"))
    if fmt == "csv":
        cells = [row[3] for row in list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))[1:]]
        assert set(cells) == {"'" + text for text in stored}
    else:
        column = [row[3] for row in openpyxl.load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(min_row=2)]
        assert all(cell.data_type == "s" and cell.value.startswith("'") for cell in column)
        # XML reads a carriage return back as a line feed
        assert {cell.value[1:].replace("\n", "\r") for cell in column} == stored


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_identity_for_identity_readers_only(fmt: str, world: dict[str, Any], client_as: Callable[..., Any]) -> None:
    coordinator = client_as("coordinator", world["coordinator"])
    monitor = client_as("monitor")
    named = body(coordinator.get(f"/exports/tables/donors.{fmt}"))
    plain = body(monitor.get(f"/exports/tables/donors.{fmt}"))

    def cells(content: bytes) -> list[list[Any]]:
        if fmt == "csv":
            return csv_rows(content)
        return [list(r) for r in openpyxl.load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)]

    full, pseudonymised = cells(named), cells(plain)
    assert full[0][4:] == ["Last name", "First name", "Birth name", "Address", "Phone", "Email",
                           "Social security number (NIR)"]
    row = next(r for r in full if r[0] == world["identified"].pseudonym)
    assert row[4] == IDENTITY["last_name"] and row[10] == IDENTITY["nir"]
    assert pseudonymised[0] == ["Pseudonym", "Status", "Screening", "Registered"]
    flat = " ".join(str(c) for r in pseudonymised for c in r)
    assert not [s for s in identity_strings() if s in flat]
    assert [json.loads(e.new)["identity"] for e in _exports()] == [True, False]


def test_page_download_is_audited_with_its_hash(world: dict[str, Any], client_as: Callable[..., Any]) -> None:
    client = client_as("data_manager", world["manager"])
    response = client.get("/exports/tables/data-queries.csv?status=all&page=3")
    content = body(response)
    [event] = _exports()
    recorded = json.loads(event.new)
    assert response["X-Content-SHA256"] == recorded["sha256"] == hashlib.sha256(content).hexdigest()
    assert event.user_id == world["manager"].pk and event.field == "data-queries"
    assert recorded["filters"] == {"status": "all"} and recorded["records"] == len(INJECTIONS)
    assert recorded["channel"] == "page" and recorded["format"] == "csv" and recorded["identity"] is False
    assert response["Content-Disposition"].startswith('attachment; filename="data-queries-')


@pytest.mark.parametrize(("role", "table"), [("operator", "donors"), ("data_manager", "batches"),
                                             ("qc_analyst", "audit-trail"), ("data_manager", "warehouse-runs"),
                                             ("warehouse_analyst", "screening-log")])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_refused_without_the_page_s_role(role: str, table: str, fmt: str, world: dict[str, Any],
                                         client_as: Callable[..., Any]) -> None:
    assert client_as(role).get(f"/exports/tables/{table}.{fmt}").status_code == 403
    assert _exports() == []


def test_each_table_has_its_page_s_roles() -> None:
    from stromalab.web.accounts import roles
    from stromalab.web.audit.views import event_list
    from stromalab.web.donors.views import donor_list
    from stromalab.web.manufacturing.views import batch_list as manufacturing_batches
    from stromalab.web.quality.views import batch_list as quality_batches
    from stromalab.web.screening.views import query_list
    from stromalab.web.warehouse.views import run_list

    pages = {"donors": donor_list, "data-queries": query_list, "batches": manufacturing_batches,
             "qc-batches": quality_batches, "audit-trail": event_list, "warehouse-runs": run_list}
    for key, view in pages.items():
        assert set(TABLES[key].roles) == set(view.allowed_roles), key  # type: ignore[attr-defined]
    # the dashboard shows its screening log to the clinical readers only
    assert set(TABLES["screening-log"].roles) == set(roles.CLINICAL_READERS)


def test_links_carry_the_page_s_filters(world: dict[str, Any], client_as: Callable[..., Any]) -> None:
    pseudonym = world["identified"].pseudonym
    client = client_as("data_manager")
    donors = client.get(f"/donors/?q={pseudonym}&page=1").content.decode()
    assert f'href="/exports/tables/donors.csv?q={pseudonym}"' in donors
    assert f'href="/exports/tables/donors.xlsx?q={pseudonym}"' in donors
    assert 'href="/exports/tables/data-queries.xlsx?status=all"' in client.get(
        "/screening/queries/?status=all").content.decode()
    assert 'href="/exports/tables/screening-log.csv"' in client.get("/").content.decode()
    trail = client.get("/audit/?kind=create&before=999").content.decode()
    assert 'href="/exports/tables/audit-trail.xlsx?kind=create"' in trail
    monitor = client_as("monitor")
    for page, table in (("/manufacturing/", "batches"), ("/quality/", "qc-batches"), ("/warehouse/", "warehouse-runs")):
        assert f'href="/exports/tables/{table}.csv"' in monitor.get(page).content.decode()


def test_french_headers_are_the_page_s(world: dict[str, Any], client_as: Callable[..., Any]) -> None:
    from django.utils import translation

    client = client_as("data_manager")
    client.cookies["django_language"] = "fr"
    try:
        shown = page_table(client.get("/donors/").content.decode())
        rows = csv_rows(body(client.get("/exports/tables/donors.csv")))
        sheet = openpyxl.load_workbook(io.BytesIO(body(client.get("/exports/tables/donors.xlsx")))).worksheets[0]
    finally:
        translation.activate("en")
    assert rows[0] == shown[0] and rows[0][0] == "Pseudonyme"
    assert next(sheet.iter_rows(values_only=True)) == tuple(rows[0])
