"""A process killed in the middle of an FCS upload leaves nothing that blocks a retry.

The upload runs in a separate process against the test database and is killed with SIGKILL
either before its files are linked into place (only staging files are left) or after the first
link (a file left in place, its rows rolled back). The same upload then succeeds, the rolled-back
panel id being reused, and every stored file matches its recorded SHA-256."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from stromalab.web.quality import actions, storage
from stromalab.web.quality.models import FcsPanel
from tests.web.processes import database_url, process_environment

from .conftest import uploads

pytestmark = pytest.mark.django_db(transaction=True)

KILLED_UPLOAD = """
import os, pathlib, signal, sys
from stromalab.commands.environment import setup_django
setup_django()
from stromalab.web.accounts.models import User
from stromalab.web.manufacturing.models import Batch
from stromalab.web.quality import actions
from stromalab.web.quality.actions import fcs
folder, code, username, when = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
publish = fcs.storage.publish
def killed(*args, **kwargs):
    if when == "after-link":
        publish(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
fcs.storage.publish = killed
files = [actions.Upload(p.name, p.read_bytes()) for p in sorted(folder.iterdir())]
actions.upload_panel(batch=Batch.objects.get(code=code), control=files[0], stained=files[1:],
                     acting_user=User.objects.get(username=username))
"""


@pytest.mark.parametrize("when", ["before-link", "after-link"])
def test_a_retry_succeeds_after_a_kill_mid_upload(when: str, batch: Any, analyst: Any,
                                                    good_panel: dict[str, bytes], media: Path,
                                                    tmp_path: Path) -> None:
    folder = tmp_path / "panel"
    folder.mkdir()
    for position, (name, data) in enumerate(good_panel.items()):
        (folder / f"{position}-{name}").write_bytes(data)
    env = process_environment(STROMALAB_DATABASE_URL=database_url(connection.settings_dict),
                              STROMALAB_MEDIA_DIR=str(media), STROMALAB_VAR_DIR=str(tmp_path / "var"))
    killed = subprocess.run([sys.executable, "-c", KILLED_UPLOAD, str(folder), batch.code, analyst.username, when],
                            env=env, capture_output=True, text=True, timeout=300, check=False)
    assert killed.returncode == -9, killed.stderr
    assert not FcsPanel.objects.exists()
    left = [p for p in media.rglob("*") if p.is_file()]
    assert left, "the killed upload left nothing on disk: the kill came too early to test anything"

    control, stained = uploads(good_panel)
    panel = actions.upload_panel(batch=batch, control=control, stained=stained, acting_user=analyst)
    assert panel.files.count() == 3
    for stored in panel.files.all():
        storage.read(stored.stored_path, stored.sha256)  # in place, matching its SHA-256
