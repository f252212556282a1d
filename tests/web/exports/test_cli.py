"""``stromalab export``: refused with one line and nothing written for an account that may not
export; otherwise the file written and the export recorded with the file's SHA-256."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stromalab.cli import main
from stromalab.web.audit.kinds import EventKind
from stromalab.web.audit.models import AuditEvent


def _exports() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=EventKind.DATA_EXPORT))


@pytest.mark.parametrize("case", ["operator", "inactive", "locked", "unknown", "administrator"])
def test_refused_with_one_line_and_nothing_written(case: str, populated: dict[str, Any], make_user: Callable[..., Any],
                                                   tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from django.utils import timezone

    username = "nobody"
    if case in ("operator", "administrator"):
        username = make_user(case).username
    elif case == "inactive":
        username = make_user("data_manager", is_active=False).username
    elif case == "locked":
        username = make_user("monitor", locked_at=timezone.now()).username
    out = tmp_path / "export.json"
    assert main(["export", "fhir", "--user", username, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("stromalab export: ")
    assert username in err or "nobody" in err
    assert list(tmp_path.iterdir()) == [] and _exports() == []


@pytest.mark.parametrize("fmt", ["fhir", "odm"])
def test_export_written_and_audited_with_its_hash(fmt: str, populated: dict[str, Any], make_user: Callable[..., Any],
                                                  tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manager = make_user("data_manager")
    out = tmp_path / f"study.{fmt}"
    assert main(["export", fmt, "--user", manager.username, "--out", str(out)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no partial file left
    content = out.read_bytes()
    [event] = _exports()
    recorded = json.loads(event.new)
    assert event.user_id == manager.pk and event.field == fmt
    assert event.record_type == "donors.Study" and event.record_id == populated["study"].id
    assert recorded["sha256"] == hashlib.sha256(content).hexdigest()
    assert recorded["channel"] == "cli" and recorded["filters"]["study"] == populated["study"].id
    assert recorded["records"] > 0 and recorded["format"] == fmt
    assert f"audit event {event.id}" in capsys.readouterr().err


def test_standard_output_by_default(populated: dict[str, Any], make_user: Callable[..., Any],
                                    capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    monitor = make_user("monitor")
    assert main(["export", "odm", "--user", monitor.username]) == 0
    content = capsysbinary.readouterr().out
    assert content.startswith(b"<?xml")
    assert json.loads(_exports()[0].new)["sha256"] == hashlib.sha256(content).hexdigest()


def test_a_missing_folder_is_refused_before_anything_is_built(populated: dict[str, Any], make_user: Callable[..., Any],
                                                              tmp_path: Path) -> None:
    manager = make_user("data_manager")
    assert main(["export", "fhir", "--user", manager.username, "--out", str(tmp_path / "no" / "f.json")]) == 2
    assert _exports() == []
