"""``stromalab fcs``: the JSON contract, text output, exit codes, and a light import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from stromalab.cli import main
from tests.core.cytometry.fcs_panels import tube

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("panel")
    rng = np.random.default_rng(3)
    control = folder / "control.fcs"
    control.write_bytes(tube(rng, {"APC-A": ("", 0.0), "PE-A": ("", 0.0)}))
    positives = folder / "positives.fcs"
    positives.write_bytes(tube(rng, {"APC-A": ("CD73 APC", 0.99), "PE-A": ("PE-A :: CD90", 0.99)}))
    negatives = folder / "negatives.fcs"
    negatives.write_bytes(tube(rng, {"APC-A": ("CD45 APC", 0.0), "PE-A": ("tube 2 PE", 0.0)}))
    return control, positives, negatives


def test_json_contract(panel: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    control, positives, negatives = panel
    args = [
        "fcs",
        "phenotype",
        "--control",
        str(control),
        str(positives),
        str(negatives),
        "--format",
        "json",
    ]
    assert main([*args, "--marker", "PE-A=HLA-DR"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"control", "threshold_percentile", "tubes", "isct"}
    assert document["control"]["file"] == str(control)
    assert document["control"]["events"] > document["control"]["gated_events"] > 0
    assert document["threshold_percentile"] == 99
    assert [t["file"] for t in document["tubes"]] == [str(positives), str(negatives)]
    markers = [m["marker"] for t in document["tubes"] for m in t["markers"]]
    # --marker applies to every stained tube: it renames PE-A in both.
    assert markers == ["CD73", "HLA-DR", "CD45", "HLA-DR"]
    assert document["isct"]["verdict"] == "fail"  # HLA-DR from the CD90 tube is ~99 %
    for row in document["isct"]["criteria"]:
        assert set(row) == {"marker", "limit", "value", "status"}
        assert row["value"] is None or 0 <= row["value"] <= 100


def test_text_output(panel: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    control, positives, negatives = panel
    assert (
        main(["fcs", "phenotype", "--control", str(control), str(positives), str(negatives)]) == 0
    )
    out = capsys.readouterr().out
    assert "CD73" in out and "CD90" in out and "CD45" in out
    assert "ISCT minimal criteria (Dominici et al. 2006): INCOMPLETE" in out
    assert "not measured" in out


def test_corrupted_file_exits_2_with_one_line(
    panel: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str], fixtures: Path
) -> None:
    control = panel[0]
    bad = fixtures / "corrupted.fcs"
    assert main(["fcs", "phenotype", "--control", str(control), str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert str(bad) in captured.err
    assert main(["fcs", "phenotype", "--control", str(bad), str(control)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_bad_marker_option_exits_2(
    panel: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    control, positives, _ = panel
    assert (
        main(["fcs", "phenotype", "--control", str(control), str(positives), "--marker", "CD73"])
        == 2
    )
    assert "CHANNEL=MARKER" in capsys.readouterr().err


def test_info(fixtures: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["fcs", "info", str(fixtures / "beckman_coulter_two_datasets.lmd"), "--dataset", "1"])
        == 0
    )
    out = capsys.readouterr().out
    assert "FCS 3.0, data set 2 of 2, 18110 events x 8 channels" in out
    assert "$BYTEORD = 1,2,3,4" in out
    assert main(["fcs", "info", str(fixtures / "corrupted.fcs")]) == 2


def test_command_module_imports_no_numpy() -> None:
    code = "import sys, stromalab.commands.fcs; print('numpy' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == "False"


def test_histograms_flag_adds_them_to_the_json_only(
    panel: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    control, positives, _ = panel
    args = ["fcs", "phenotype", "--control", str(control), str(positives), "--format", "json"]
    assert main([*args, "--histograms"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"control", "threshold_percentile", "tubes", "isct", "histograms"}
    assert [h["channel"] for h in document["histograms"]] == ["APC-A", "PE-A"]
    assert sum(document["histograms"][0]["control"]) == document["control"]["gated_events"]
    assert (
        main(["fcs", "phenotype", "--control", str(control), str(positives), "--histograms"]) == 2
    )
    assert "needs --format json" in capsys.readouterr().err
