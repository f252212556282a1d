"""Backups that restore: `stromalab backup` and `stromalab restore` as an operator runs them.

The study data are written through the actions (committed, not in a test transaction), the two
commands run as processes against the real database (SQLite here, PostgreSQL in the second half
of the suite), and the restored copy is checked as a user would: `stromalab audit verify`, and
every stored FCS file against its recorded SHA-256.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from tests.web.processes import database_url, process_environment
from tests.web.quality.conftest import uploads

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.STROMALAB_MEDIA_DIR = tmp_path / "media"
    return tmp_path / "media"


def _url(settings_dict: dict[str, Any], name: str | None = None) -> str:
    return database_url(settings_dict, name=name)


def _stromalab(*args: str, database: str, media: Path, var: Path,
               checkpoints: Path | None = None) -> subprocess.CompletedProcess[str]:
    from django.conf import settings

    env = process_environment(
        STROMALAB_DATABASE_URL=database, STROMALAB_MEDIA_DIR=str(media), STROMALAB_VAR_DIR=str(var),
        STROMALAB_AUDIT_KEY=settings.STROMALAB_AUDIT_KEY,
        STROMALAB_AUDIT_CHECKPOINTS=str(checkpoints or var / "audit-checkpoints.jsonl"))
    return subprocess.run([sys.executable, "-m", "stromalab.cli", *args], env=env, capture_output=True,
                          text=True, check=False, timeout=300)


@pytest.fixture()
def empty_target(tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database of the engine under test (dropped afterwards)."""
    settings_dict = connection.settings_dict
    if settings_dict["ENGINE"].endswith("sqlite3"):
        yield _url(settings_dict, str(tmp_path / "restored.sqlite3"))
        return
    import psycopg

    name = f"{settings_dict['NAME']}_restored"
    admin = _url(settings_dict, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _url(settings_dict, name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture()
def study_with_files(batch: Any, analyst: Any, good_panel: dict[str, bytes], settings: Any) -> Any:
    from stromalab.web.quality import actions

    control, stained = uploads(good_panel)
    return actions.upload_panel(batch=batch, control=control, stained=stained, acting_user=analyst)


def _events() -> int:
    from stromalab.web.audit.models import AuditEvent

    return AuditEvent.objects.count()


def test_a_backup_restores_into_an_empty_database_and_verifies(
        study_with_files: Any, settings: Any, tmp_path: Path, empty_target: str) -> None:
    from stromalab.web.audit.checkpoints import checkpoint_now

    source = _url(connection.settings_dict)
    media = Path(settings.STROMALAB_MEDIA_DIR)
    mark = checkpoint_now()
    assert mark is not None
    taken = _stromalab("backup", str(tmp_path / "b1"), database=source, media=media, var=tmp_path / "v1",
                       checkpoints=Path(settings.STROMALAB_AUDIT_CHECKPOINTS))
    assert taken.returncode == 0, taken.stderr
    assert (tmp_path / "b1" / "audit-checkpoints.jsonl").read_text().count(mark.hash) == 1
    manifest = json.loads((tmp_path / "b1" / "manifest.json").read_text())
    stored = {f.stored_path for f in study_with_files.files.all()}
    assert {f"media/{p}" for p in stored} <= set(manifest["files"])
    assert manifest["audit_head"]["last_id"] == _events()

    restored_media = tmp_path / "restored-media"
    restored = _stromalab("restore", str(tmp_path / "b1"), database=empty_target, media=restored_media,
                          var=tmp_path / "v2")
    assert restored.returncode == 0, restored.stderr
    assert "audit trail intact" in restored.stdout and "every stored FCS file matches" in restored.stdout
    verified = _stromalab("audit", "verify", database=empty_target, media=restored_media, var=tmp_path / "v2")
    assert verified.returncode == 0 and f"intact: {_events()} events" in verified.stdout
    assert "1 checkpoints held" in verified.stdout  # the backup's checkpoints, installed by the restore
    for path in stored:
        assert (restored_media / path).read_bytes() == (media / path).read_bytes()


def test_restore_refuses_a_database_that_holds_data(study_with_files: Any, settings: Any, tmp_path: Path) -> None:
    source = _url(connection.settings_dict)
    media = Path(settings.STROMALAB_MEDIA_DIR)
    assert _stromalab("backup", str(tmp_path / "b"), database=source, media=media,
                      var=tmp_path / "v").returncode == 0
    events = _events()
    refused = _stromalab("restore", str(tmp_path / "b"), database=source, media=tmp_path / "m2",
                         var=tmp_path / "v")
    assert refused.returncode == 2
    assert "already holds tables" in refused.stderr
    assert _events() == events


@pytest.mark.parametrize("damage", ["tamper", "truncate", "remove_manifest"])
def test_a_damaged_backup_is_refused_before_anything_is_written(
        damage: str, study_with_files: Any, settings: Any, tmp_path: Path, empty_target: str) -> None:
    folder = tmp_path / "b"
    assert _stromalab("backup", str(folder), database=_url(connection.settings_dict),
                      media=Path(settings.STROMALAB_MEDIA_DIR), var=tmp_path / "v").returncode == 0
    victim = next(p for p in sorted((folder / "media").rglob("*")) if p.is_file())
    if damage == "tamper":
        victim.chmod(0o600)
        victim.write_bytes(victim.read_bytes()[:-1] + b"\x00")
    elif damage == "truncate":
        victim.chmod(0o600)
        victim.write_bytes(b"")
    else:
        (folder / "manifest.json").unlink()
    refused = _stromalab("restore", str(folder), database=empty_target, media=tmp_path / "m2",
                         var=tmp_path / "v")
    assert refused.returncode == 2
    expected = "manifest.json" if damage == "remove_manifest" else str(victim.relative_to(folder))
    assert expected in refused.stderr
    assert not (tmp_path / "m2").exists()


def test_backup_refuses_a_folder_that_is_not_empty(settings: Any, tmp_path: Path, study: Any) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "something").write_text("x")
    refused = _stromalab("backup", str(tmp_path / "b"), database=_url(connection.settings_dict),
                         media=Path(settings.STROMALAB_MEDIA_DIR), var=tmp_path / "v")
    assert refused.returncode == 2 and "not empty" in refused.stderr


def test_a_backup_taken_while_writes_go_on_restores_intact(
        study_with_files: Any, settings: Any, tmp_path: Path, empty_target: str,
        make_user: Callable[..., Any]) -> None:
    from stromalab.web.audit.actions import record_event
    from stromalab.web.audit.kinds import EventKind

    writer = make_user("data_manager")
    stop = threading.Event()
    written = []

    def keep_writing() -> None:
        try:
            while not stop.is_set():
                with transaction.atomic():
                    record_event(acting_user=writer, action=EventKind.READ, record=writer,
                                 new={"n": len(written)})
                written.append(1)
        finally:
            connection.close()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        taken = _stromalab("backup", str(tmp_path / "b"), database=_url(connection.settings_dict),
                           media=Path(settings.STROMALAB_MEDIA_DIR), var=tmp_path / "v")
    finally:
        stop.set()
        thread.join()
    assert taken.returncode == 0, taken.stderr
    assert written, "no write happened during the backup"
    restored = _stromalab("restore", str(tmp_path / "b"), database=empty_target, media=tmp_path / "m2",
                          var=tmp_path / "v2")
    assert restored.returncode == 0, restored.stderr
    assert "audit trail intact" in restored.stdout
