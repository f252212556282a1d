"""``stromalab din``: output, exit codes, and a start-up that imports no heavy library."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stromalab.cli import main


def test_check_char(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["din", "check-char", "G123417654321"]) == 0
    assert capsys.readouterr().out == "A\n"
    assert main(["din", "check-char", "W000009123456"]) == 0
    assert capsys.readouterr().out == "G\n"


@pytest.mark.parametrize(
    "text", ["G1234 17 654321", "G1234 17 654321 00 A", "=G12341765432100", "=G12341765432170"]
)
def test_validate_ok(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["din", "validate", text]) == 0
    assert capsys.readouterr().out == "OK G123417654321\n"


@pytest.mark.parametrize(
    ("action", "text", "message"),
    [
        ("validate", "G1234 17 654321 00 B", "check character: B does not match DIN"),
        ("validate", "=G1234176543210", "barcode: data structure 001"),
        ("check-char", "G12341765432", "DIN: expected 13 characters"),
    ],
)
def test_errors_are_one_line_with_exit_2(
    action: str, text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["din", action, text]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"stromalab din: error: {message}")
    assert captured.err.count("\n") == 1


def test_start_up_imports_no_heavy_library() -> None:
    src = Path(__file__).resolve().parents[3] / "src"
    code = (
        "import sys; from stromalab.cli import main; main(['din', 'check-char', 'G123417654321']);"
        "print(sorted(m for m in ('numpy', 'yaml', 'django', 'reportlab') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout == "A\n[]\n"
