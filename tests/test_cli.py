"""The ``stromalab`` entry point: help, unknown commands, and a lean start for core commands."""

from __future__ import annotations

import subprocess
import sys

import pytest


def stromalab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stromalab", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_help_lists_every_command() -> None:
    done = stromalab("--help")
    assert done.returncode == 0
    for name in ("screen", "fcs", "din", "prescreen", "audit", "createuser", "manage"):
        assert f"  {name} " in done.stdout


def test_unknown_command_exits_2() -> None:
    done = stromalab("scren")
    assert done.returncode == 2
    assert "invalid choice: 'scren'" in done.stderr


def test_no_command_prints_usage() -> None:
    assert stromalab().returncode == 2


def test_version() -> None:
    assert stromalab("--version").stdout.startswith("stromalab ")


@pytest.mark.parametrize("command", ["screen"])
def test_core_commands_do_not_load_django_or_numpy(command: str) -> None:
    code = (
        "import sys; from stromalab.cli import main\n"
        f"try:\n    main([{command!r}, '--help'])\nexcept SystemExit:\n    pass\n"
        "loaded = [m for m in ('django', 'numpy', 'duckdb', 'reportlab') if m in sys.modules]\n"
        "print(','.join(loaded), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip() == ""
