"""``stromalab prescreen`` end to end: output formats, attrition, and one-line errors (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from stromalab.cli import main
from stromalab.core.warehouse import synthetic


def prescreen(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["prescreen", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_csv_sorted_with_attrition_on_stderr(planted_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = prescreen(capsys, "--omop", str(planted_db), "--as-of", "2022-05-31")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "person_id,verdict,failed,unknown"
    ids = [int(line.split(",")[0]) for line in lines[1:]]
    assert ids == sorted(ids)
    assert "20,excluded,I2,I3;I4;I5;I6;E2;E3;E4;E5;E6;E7;E8;E9;E10;E11;E12;E13;E14;E15;E16;E17;E18;E19;E20;E22" in lines
    assert err.splitlines()[0] == f"population {len(ids)}"
    assert err.splitlines()[2].split()[0] == "I1"


def test_json_lines_and_attrition_csv(planted_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file, attrition = tmp_path / "out.jsonl", tmp_path / "attrition.csv"
    status, _, err = prescreen(capsys, "--omop", str(planted_db), "--as-of", "2022-05-31", "--format", "json",
                               "--out", str(out_file), "--attrition", str(attrition))
    assert status == 0 and err == ""
    rows = [json.loads(line) for line in out_file.read_text().splitlines()]
    person_20 = next(r for r in rows if r["person_id"] == 20)
    assert person_20["verdict"] == "excluded" and person_20["failed"] == ["I2"]
    table = attrition.read_text().splitlines()
    assert table[0] == "criterion,fails,remaining" and len(table) == 29
    remaining = [int(line.split(",")[2]) for line in table[1:]]
    assert remaining == sorted(remaining, reverse=True)
    candidates = sum(1 for r in rows if r["verdict"] == "candidate")
    assert remaining[-1] == candidates


def test_schedule_population(planted_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schedule = synthetic.write_schedule(tmp_path / "s.csv", synthetic.PLANTED_SCHEDULE)
    status, out, _ = prescreen(capsys, "--omop", str(planted_db), "--as-of", "2022-05-31", "--schedule", str(schedule))
    assert status == 0
    assert [line.split(",")[0] for line in out.splitlines()[1:]] == ["2", "3", "6", "7", "10", "14", "15", "20", "999"]


def _without(source: Path, target: Path, sql: str) -> Path:
    con = duckdb.connect(str(target))
    con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")
    for table in synthetic.TABLES:
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM src.{table}")
    con.execute(sql)
    con.close()
    return target


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("DROP TABLE measurement", "missing table measurement"),
        ("ALTER TABLE drug_exposure DROP COLUMN drug_exposure_end_date", "missing column drug_exposure.drug_exposure_end_date"),
        ("ALTER TABLE person DROP COLUMN year_of_birth", "missing column person.year_of_birth"),
    ],
)
def test_missing_table_or_column(planted_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 change: str, message: str) -> None:
    broken = _without(planted_db, tmp_path / "broken.duckdb", change)
    status, out, err = prescreen(capsys, "--omop", str(broken), "--as-of", "2022-05-31")
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and message in err


@pytest.mark.parametrize("as_of", ["2022-02-30", "31/05/2022", "2022-5-31"])
def test_bad_as_of(planted_db: Path, capsys: pytest.CaptureFixture[str], as_of: str) -> None:
    status, _, err = prescreen(capsys, "--omop", str(planted_db), "--as-of", as_of)
    assert status == 2 and len(err.splitlines()) == 1 and "--as-of" in err and as_of in err


def test_bad_schedule_date(planted_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schedule = tmp_path / "s.csv"
    schedule.write_text("person_id,date,procedure,site,anesthesia\n1,2022-06-01,liposuction,abdomen,general\n"
                        "2,2022-13-01,liposuction,abdomen,general\n")
    status, _, err = prescreen(capsys, "--omop", str(planted_db), "--as-of", "2022-05-31", "--schedule", str(schedule))
    assert status == 2 and len(err.splitlines()) == 1 and "line 3" in err and "2022-13-01" in err


@pytest.mark.parametrize("what", ["missing file", "unreadable csv", "schedule"])
def test_unreadable_inputs(tmp_path: Path, planted_db: Path, capsys: pytest.CaptureFixture[str], what: str) -> None:
    args = ["--omop", str(tmp_path / "nowhere.duckdb"), "--as-of", "2022-05-31"]
    named = "nowhere.duckdb"
    if what == "unreadable csv":
        folder = tmp_path / "omop"
        folder.mkdir()
        (folder / "PERSON.csv").write_bytes(b"\xff\xfe\x00garbage\x00\n\x00\x01")
        args = ["--omop", str(folder), "--as-of", "2022-05-31"]
        named = "PERSON.csv"
    elif what == "schedule":
        args = ["--omop", str(planted_db), "--as-of", "2022-05-31", "--schedule", str(tmp_path / "none.csv")]
        named = "none.csv"
    status, _, err = prescreen(capsys, *args)
    assert status == 2 and len(err.splitlines()) == 1 and named in err


def test_csv_folder_any_letter_case(planted_db: Path, tmp_path: Path, protocol: object, capsys: pytest.CaptureFixture[str]) -> None:
    folder = synthetic.write(tmp_path / "csv", 200, 7, synthetic.AS_OF_MAY, "csv")
    assert (folder / "PERSON.csv").exists()
    _, from_csv, _ = prescreen(capsys, "--omop", str(folder), "--as-of", "2022-05-31")
    db = synthetic.write(tmp_path / "same.duckdb", 200, 7, synthetic.AS_OF_MAY)
    _, from_db, _ = prescreen(capsys, "--omop", str(db), "--as-of", "2022-05-31")
    assert from_csv == from_db
