"""``stromalab export csv|xlsx``: every table the account's role reads, one file each in the
folder, each export recorded with the file's SHA-256; a table the role may not read refuses the
whole export with one line and nothing written."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from stromalab.cli import main
from stromalab.web.audit.kinds import EventKind
from stromalab.web.audit.models import AuditEvent

from .conftest import IDENTITY
from .tables_helpers import csv_rows


def _exports() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=EventKind.DATA_EXPORT).order_by("id"))


def test_every_readable_table_written_and_audited(populated: dict[str, Any], make_user: Callable[..., Any],
                                                  tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manager = make_user("data_manager")
    assert main(["export", "csv", "--user", manager.username, "--out", str(tmp_path),
                 "--filter", "data-queries:status=all", "--filter", "donors:q=002"]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    # the data manager reads neither the batches, nor QC, nor the warehouse: not written, and said
    assert written == ["audit-trail.csv", "data-queries.csv", "donors.csv", "screening-log.csv"]
    err = capsys.readouterr().err
    assert "not written" in err and "batches, qc-batches, warehouse-runs" in err
    events = {e.field: e for e in _exports()}
    assert set(events) == {"donors", "screening-log", "data-queries", "audit-trail"}
    for name in written:
        content = (tmp_path / name).read_bytes()
        recorded = json.loads(events[name.removesuffix(".csv")].new)
        assert recorded["sha256"] == hashlib.sha256(content).hexdigest() and recorded["channel"] == "cli"
        assert recorded["records"] == len(csv_rows(content)) - 1 and recorded["file"] == name
        assert events[name.removesuffix(".csv")].user_id == manager.pk
    assert json.loads(events["data-queries"].new)["filters"] == {"status": "all"}
    donors = csv_rows((tmp_path / "donors.csv").read_bytes())
    assert [r[0] for r in donors[1:]] == [populated["identified"].pseudonym]
    assert len(donors[0]) == 4  # no identity for the data manager


def test_identity_reader_gets_identity_in_french(populated: dict[str, Any], tmp_path: Path) -> None:
    coordinator = populated["coordinator"]
    assert main(["export", "xlsx", "--user", coordinator.username, "--out", str(tmp_path),
                 "--table", "donors", "--language", "fr"]) == 0
    sheet = openpyxl.load_workbook(io.BytesIO((tmp_path / "donors.xlsx").read_bytes())).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:4] == ("Pseudonyme", "Statut", "Sélection", "Enregistrés")
    assert IDENTITY["last_name"] in {r[4] for r in rows}
    [event] = _exports()
    assert json.loads(event.new)["identity"] is True


@pytest.mark.parametrize(("role", "args"), [
    ("data_manager", ["--table", "donors", "--table", "batches"]),  # one table the role may not read
    ("operator", ["--table", "donors"]),
    ("administrator", ["--table", "donors"]),  # reads the audit trail, not the donors
    ("unknown", []),
    ("data_manager", ["--table", "no-such-table"]),
    ("data_manager", ["--filter", "donors-q=1"]),
])
def test_refused_with_one_line_and_nothing_written(role: str, args: list[str], populated: dict[str, Any],
                                                   make_user: Callable[..., Any], tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    username = "nobody" if role == "unknown" else make_user(role).username
    assert main(["export", "csv", "--user", username, "--out", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("stromalab export: ")
    assert list(tmp_path.iterdir()) == [] and _exports() == []


def test_out_must_be_a_folder(populated: dict[str, Any], make_user: Callable[..., Any], tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    manager = make_user("data_manager")
    assert main(["export", "csv", "--user", manager.username, "--out", str(tmp_path / "missing")]) == 2
    assert "existing folder" in capsys.readouterr().err and _exports() == []
