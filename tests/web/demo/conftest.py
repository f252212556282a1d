"""Fixtures for the demo tests: uploaded files under tmp_path, and the demo study made once
per test through the command line as a newcomer runs it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.STROMALAB_MEDIA_DIR = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture()
def demo_output(db: None, capsys: pytest.CaptureFixture[str]) -> str:
    """``stromalab demo --seed 7`` on the empty test database; its standard output."""
    from stromalab.cli import main

    assert main(["demo", "--seed", "7"]) == 0
    return capsys.readouterr().out
