"""``stromalab screen`` as a user runs it: a real process, files and standard input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.core.eligibility.records import eligible


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stromalab", "screen", *args],
        input=stdin, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "records.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


def lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_one_record_in_a_file(tmp_path: Path) -> None:
    done = run("--format", "json", write(tmp_path, json.dumps(eligible())))
    assert done.returncode == 0, done.stderr
    [result] = lines(done.stdout)
    assert result["verdict"] == "eligible"
    assert result["donor"] == "D-0001" and result["protocol"] == "NCT05947682"
    assert len(result["criteria"]) == 28


def test_array_and_json_lines_keep_input_order(tmp_path: Path) -> None:
    records = [eligible(donor=f"D-{i}") for i in range(3)]
    as_array = run("--format", "json", write(tmp_path, json.dumps(records)))
    as_lines = run("--format", "json", "-", stdin="\n".join(json.dumps(r) for r in records) + "\n\n")
    assert as_array.returncode == as_lines.returncode == 0
    assert [r["donor"] for r in lines(as_array.stdout)] == ["D-0", "D-1", "D-2"]
    assert as_array.stdout == as_lines.stdout


def test_numbers_are_read_as_written(tmp_path: Path) -> None:
    # 76.8 kg at 160 cm is a BMI of exactly 30: binary floating point would say 29.999999999999993
    record = json.dumps(eligible(weight_kg=None, height_cm=None))[:-1] + ', "weight_kg": 76.8, "height_cm": 160}'
    [result] = lines(run("--format", "json", write(tmp_path, record)).stdout)
    i2 = result["criteria"][1]
    assert (i2["id"], i2["status"]) == ("I2", "fail")
    assert "BMI 30.00" in i2["reason"]


def test_invalid_records_are_reported_and_the_rest_screened(tmp_path: Path) -> None:
    text = "\n".join([
        json.dumps(eligible(donor="D-1")),
        json.dumps(eligible(donor="D-2", weight_kg=-1)),
        "{not json",
        json.dumps({"as_of": "2026-01-01", "sex": "male"}),
        json.dumps(eligible(donor="D-5")),
    ])  # fmt: skip
    done = run("--format", "json", write(tmp_path, text))
    assert done.returncode == 2
    assert [r["donor"] for r in lines(done.stdout)] == ["D-1", "D-5"]
    errors = done.stderr.splitlines()
    assert errors[0] == "stromalab screen: record 2 (line 2) (donor D-2): weight_kg: must be a number in (0, 500), got -1"
    assert errors[1].startswith("stromalab screen: record 3 (line 3): not valid JSON")
    assert errors[2] == "stromalab screen: record 4 (line 4): donor: is required"
    assert len(errors) == 3


def test_invalid_record_in_an_array(tmp_path: Path) -> None:
    done = run("--format", "json", write(tmp_path, json.dumps([eligible(), eligible(donor="D-9", sex="F")])))
    assert done.returncode == 2
    assert done.stderr.strip() == "stromalab screen: record 2 (donor D-9): sex: must be one of female, male, got 'F'"
    assert len(lines(done.stdout)) == 1


def test_text_output_puts_the_verdict_first(tmp_path: Path) -> None:
    done = run(write(tmp_path, json.dumps(eligible(smoking="current", birth_date=None))))
    assert done.returncode == 0
    out = done.stdout.splitlines()
    assert out[0] == "D-0001: INELIGIBLE (NCT05947682, as of 2026-03-02)"
    assert any(line.split()[:2] == ["I3", "fail"] for line in out)
    assert any(line.split()[:2] == ["I1", "unknown"] for line in out)
    assert not any(line.split()[:2] == ["I2", "pass"] for line in out)


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["/nonexistent/records.json"], None, "cannot read"),
        (["-"], "", "no record in the input"),
        (["--protocol", "NCT00000000", "-"], "{}", "no protocol folder"),
    ],
)
def test_unusable_input_exits_2_with_one_line(args: list[str], stdin: str | None, message: str) -> None:
    done = run(*args, stdin=stdin)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stdout == ""
