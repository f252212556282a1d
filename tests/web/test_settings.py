"""Settings in one place: every ``STROMALAB_*`` variable is read and documented in
``stromalab.web.settings``; defaults and overrides reach ``django.conf.settings``; the core is
told where the protocols are, and the CLI commands that start without Django still honour
``STROMALAB_PROTOCOLS``."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from stromalab.core.protocol import DEFAULT_ROOT
from stromalab.web import settings as settings_module

SHOW = (
    "import json; from stromalab.web import settings as s; from stromalab.core.protocol import protocols_root\n"
    "print(json.dumps({k: str(getattr(s, k)) if k != 'STROMALAB_SHELF_LIFE_DAYS' else s.STROMALAB_SHELF_LIFE_DAYS\n"
    "  for k in ('STROMALAB_FIN', 'STROMALAB_PRODUCT_CODE', 'STROMALAB_SHELF_LIFE_DAYS', 'STROMALAB_WAREHOUSES',\n"
    "            'STROMALAB_PROTOCOLS', 'STROMALAB_MEDIA_DIR', 'VAR_DIR')} | {'root': str(protocols_root())}))"
)


def _settings_with(tmp_path: Path, **variables: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STROMALAB_")}
    env |= {"STROMALAB_VAR_DIR": str(tmp_path / "var"), "STROMALAB_SECRET_KEY": "x" * 50, **variables}
    done = subprocess.run([sys.executable, "-c", SHOW], env=env, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout))


def test_defaults(tmp_path: Path) -> None:
    shown = _settings_with(tmp_path)
    var = (tmp_path / "var").resolve()
    assert shown == {"STROMALAB_FIN": "G1234", "STROMALAB_PRODUCT_CODE": "S1234", "STROMALAB_SHELF_LIFE_DAYS": 365,
                     "STROMALAB_WAREHOUSES": "", "STROMALAB_PROTOCOLS": "None",
                     "STROMALAB_MEDIA_DIR": str(var / "media"), "VAR_DIR": str(var), "root": str(DEFAULT_ROOT)}


def test_environment_reaches_settings_and_the_core(tmp_path: Path) -> None:
    shown = _settings_with(tmp_path, STROMALAB_FIN="W0001", STROMALAB_PRODUCT_CODE="S0002",
                           STROMALAB_SHELF_LIFE_DAYS="30", STROMALAB_WAREHOUSES="cdw=/data/omop.duckdb",
                           STROMALAB_PROTOCOLS=str(tmp_path / "protocols"),
                           STROMALAB_MEDIA_DIR=str(tmp_path / "media"))
    assert shown["STROMALAB_FIN"] == "W0001" and shown["STROMALAB_PRODUCT_CODE"] == "S0002"
    assert shown["STROMALAB_SHELF_LIFE_DAYS"] == 30 and shown["STROMALAB_WAREHOUSES"] == "cdw=/data/omop.duckdb"
    assert shown["STROMALAB_PROTOCOLS"] == shown["root"] == str(tmp_path / "protocols")
    assert shown["STROMALAB_MEDIA_DIR"] == str((tmp_path / "media").resolve())


def test_every_variable_read_is_documented() -> None:
    source = Path(settings_module.__file__).read_text(encoding="utf-8")
    read = set(re.findall(r'os\.environ(?:\.get\(|\[)"(STROMALAB_\w+)"', source))
    assert {"STROMALAB_FIN", "STROMALAB_PRODUCT_CODE", "STROMALAB_SHELF_LIFE_DAYS", "STROMALAB_PROTOCOLS"} <= read
    documented = set(re.findall(r"^``(STROMALAB_\w+)``", settings_module.__doc__ or "", re.MULTILINE))
    assert read == documented


def test_screen_command_honours_the_protocols_variable(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    record.write_text("{}", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "STROMALAB_PROTOCOLS"}

    def screen(protocols: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "stromalab", "screen", str(record)],
                              env=env | {"STROMALAB_PROTOCOLS": str(protocols)},
                              capture_output=True, text=True, timeout=60, check=False)

    (tmp_path / "empty").mkdir()
    missing = screen(tmp_path / "empty")
    assert missing.returncode == 2 and "no protocol folder for 'NCT05947682'" in missing.stderr
    shutil.copytree(DEFAULT_ROOT / "NCT05947682", tmp_path / "copy" / "NCT05947682")
    found = screen(tmp_path / "copy")
    assert "protocol:" not in found.stderr and "record 1" in found.stderr  # the protocol loaded; {} is invalid


def _database_options(tmp_path: Path, **variables: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STROMALAB_")}
    env |= {"STROMALAB_VAR_DIR": str(tmp_path / "var"), "STROMALAB_SECRET_KEY": "x" * 50,
            "STROMALAB_DATABASE_URL": "postgres://stromalab_app@db.example:5432/stromalab", **variables}
    show = "import json; from stromalab.web import settings as s; print(json.dumps(s.DATABASES['default']['OPTIONS']))"
    done = subprocess.run([sys.executable, "-c", show], env=env, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout))


def test_postgresql_binds_on_the_server_and_prepares_unless_told_not_to(tmp_path: Path) -> None:
    assert _database_options(tmp_path) == {"server_side_binding": True, "prepare_threshold": 5}
    assert _database_options(tmp_path, STROMALAB_DB_PREPARED="0") == {"server_side_binding": True,
                                                                      "prepare_threshold": None}
