"""``stromalab protocol import-ctgov``: a record becomes a protocol folder that screens at once;
a malformed one exits 2 naming its JSON path, and nothing is written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from stromalab.cli import main
from stromalab.core.eligibility import screen
from stromalab.core.protocol import load_protocol
from stromalab.core.registry.criteria import split_criteria

DATA = Path(__file__).resolve().parents[2] / "data" / "ctgov"
SEED = Path(__file__).resolve().parents[3] / "protocols" / "NCT05947682"
RECORD = {"donor": "D-1", "as_of": "2026-03-02", "sex": "female", "birth_date": "1980-05-01",
          "weight_kg": 70, "height_cm": 170}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["protocol", "import-ctgov", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> Path:
    status, out, err = run(capsys, str(DATA / name), "--out", str(tmp_path))
    assert status == 0, err
    folder = Path(out.strip())
    assert folder.parent == tmp_path and sorted(p.name for p in tmp_path.iterdir()) == [folder.name]
    return folder


def statuses(folder: Path, record: dict[str, Any] = RECORD) -> dict[str, str]:
    return {c.id: c.status for c in screen(load_protocol(folder), record).criteria}


@pytest.mark.parametrize("name", ["full.json", "no-results.json", "no-eligibility.json", "sub-bullets.json",
                                  "unmarked-lines.json"])
def test_every_shape_becomes_a_folder_that_screens(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    name: str) -> None:
    folder = imported(tmp_path, capsys, name)
    source = json.loads((DATA / name).read_text(encoding="utf-8"))
    assert folder.name == source["protocolSection"]["identificationModule"]["nctId"]
    assert sorted(p.name for p in folder.iterdir()) == ["eligibility.yaml", "study.json"]
    assert json.loads((folder / "study.json").read_text(encoding="utf-8")) == source  # the record as given
    doc = yaml.safe_load((folder / "eligibility.yaml").read_text(encoding="utf-8"))
    text = source["protocolSection"].get("eligibilityModule", {}).get("eligibilityCriteria", "")
    written = {c["id"]: c["text"] for c in doc["criteria"]}
    for criterion in split_criteria(text):  # one criterion per bullet, verbatim
        assert written[criterion.id] == criterion.text
    result = screen(load_protocol(folder), RECORD)
    assert result.verdict in ("incomplete", "ineligible")  # criteria under review are never passed
    for criterion in doc["criteria"]:
        if "review" in criterion["rule"]:
            status = next(c for c in result.criteria if c.id == criterion["id"])
            assert status.status == "unknown" and status.reason.startswith("awaiting review: ")


def test_full_record_drafts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = imported(tmp_path, capsys, "full.json")
    assert statuses(folder) == {"I1": "pass", "I2": "pass", "I3": "unknown", "E1": "unknown", "E2": "unknown",
                                "E3": "unknown", "E4": "pass", "E5": "unknown"}
    heavy = statuses(folder, {**RECORD, "weight_kg": 151, "sex": "male"})
    assert heavy["E4"] == "fail" and heavy["I2"] == "fail" and heavy["E1"] == "pass"
    with_cancer = statuses(folder, {**RECORD, "conditions": [{"code": "ICD10:C50.9", "onset": "2010-01-01"}]})
    assert with_cancer["E2"] == "fail"
    assert statuses(folder, {**RECORD, "birth_date": "1990-01-01"})["I1"] == "fail"  # 36 < 40


def test_the_registry_age_and_sex_fields_become_criteria(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    folder = imported(tmp_path, capsys, "no-results.json")
    protocol = load_protocol(folder)
    assert [(c.id, c.text) for c in protocol.criteria] == [
        ("I1", "Women aged 25 to 60 years"), ("I2", "Scheduled for liposuction"),
        ("I3", "Minimum age: 25 Years; Maximum age: 60 Years"), ("I4", "Sex: Female"),
        ("E1", "Pregnancy"), ("E2", "Active hepatitis C")]
    assert statuses(folder, {**RECORD, "sex": "male"})["I4"] == "fail"
    assert statuses(folder, {**RECORD, "birth_date": "1960-01-01"})["I3"] == "fail"


def test_a_record_without_eligibility_is_never_eligible(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = imported(tmp_path, capsys, "no-eligibility.json")
    result = screen(load_protocol(folder), RECORD)
    assert [(c.id, c.status) for c in result.criteria] == [("I1", "unknown")]
    assert result.verdict == "incomplete"


def test_the_seed_record_imports_to_the_seed_criteria(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = imported(tmp_path, capsys, str(SEED / "study.json"))
    seed = load_protocol(SEED)
    assert [(c.id, c.kind, c.text) for c in load_protocol(folder).criteria] == \
        [(c.id, c.kind, c.text) for c in seed.criteria]


@pytest.mark.parametrize("name, path", [
    ("not-json.json", "not valid JSON: Expecting property name enclosed in double quotes (line 1, column 71)"),
    ("no-protocol-section.json", "protocolSection: missing"),
    ("bad-nct-id.json", "protocolSection.identificationModule.nctId: must be NCT followed by 8 digits"),
    ("age-not-text.json", "protocolSection.eligibilityModule.minimumAge: must be text, got a number"),
    ("condition-not-text.json", "protocolSection.conditionsModule.conditions[1]: must be text"),
    ("criteria-not-text.json", "protocolSection.eligibilityModule.eligibilityCriteria: must be text, got a list"),
    ("intervention-without-name.json", "protocolSection.armsInterventionsModule.interventions[0].name: missing"),
])
def test_malformed_records(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, path: str) -> None:
    status, out, err = run(capsys, str(DATA / "malformed" / name), "--out", str(tmp_path))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("stromalab protocol import-ctgov: ") and path in err
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "NCT09000001").mkdir()
    status, _, err = run(capsys, str(DATA / "full.json"), "--out", str(tmp_path))
    assert status == 2 and "already exists" in err
    assert [p.name for p in tmp_path.iterdir()] == ["NCT09000001"]
    assert list((tmp_path / "NCT09000001").iterdir()) == []


def test_import_then_screen_as_a_user_does(tmp_path: Path) -> None:
    def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "stromalab", *args], input=stdin, capture_output=True,
                              text=True, timeout=60, check=False)

    done = cli("protocol", "import-ctgov", str(DATA / "unmarked-lines.json"), "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "NCT09000005"
    screened = cli("screen", "--format", "json", "--protocol", str(folder), "-",
                   stdin=json.dumps({**RECORD, "sex": "male", "birth_date": "1990-01-01"}))
    assert screened.returncode == 0, screened.stderr
    result = json.loads(screened.stdout)
    assert {c["id"]: c["status"] for c in result["criteria"]} == {"I1": "pass", "I2": "pass", "E1": "unknown",
                                                                  "E2": "pass"}
