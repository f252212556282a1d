"""The compiled pre-screening equals the core evaluator run person by person (the oracle)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from stromalab.core.protocol import Protocol
from stromalab.core.warehouse import synthetic
from stromalab.core.warehouse.engines import open_warehouse
from stromalab.core.warehouse.schedule import read_schedule
from tests.core.warehouse.conftest import by_person, run
from tests.core.warehouse.oracle import oracle

PERSONS = 3000


@pytest.fixture(scope="module")
def random_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("differential") / "omop.duckdb"
    return synthetic.write(path, PERSONS, 2026, synthetic.AS_OF_MAY, planted=True)


# as_of values: the generation date, a 29 February, and a leap-year month end
@pytest.mark.parametrize("as_of", [synthetic.AS_OF_MAY, date(2020, 2, 29), date(2021, 3, 1), date(2022, 3, 31)], ids=str)
def test_compiled_query_equals_the_core_evaluator(random_db: Path, protocol: Protocol, as_of: date) -> None:
    with open_warehouse(str(random_db)) as warehouse:
        got = by_person(run(warehouse, protocol, as_of, {}))
    con = duckdb.connect(str(random_db), read_only=True)
    try:
        want = oracle(con, protocol, as_of)
    finally:
        con.close()
    assert len(got) == PERSONS + len(synthetic.PLANTED)
    diff = [f"{p}: compiled {got[p]} != core {want[p]}" for p in want if got.get(p) != want[p]]
    assert not diff, f"{len(diff)} persons differ:\n" + "\n".join(diff[:20])


def test_with_a_schedule_equals_the_core_evaluator(random_db: Path, protocol: Protocol, tmp_path: Path) -> None:
    procedures = ["liposuction", "Lipoaspiration", "abdominoplasty", ""]
    sites = ["abdominal wall", "ABDOMEN", "thigh", ""]
    anesthesia = ["general", "local", ""]
    rows = []
    for i, pid in enumerate(range(synthetic.RANDOM_FROM, synthetic.RANDOM_FROM + PERSONS, 3)):
        for k in range(1 + i % 3):
            day = "" if (i + k) % 11 == 0 else f"2022-{5 + (i + k) % 3:02d}-{1 + (i * 7 + k) % 28:02d}"
            rows.append((pid, day, procedures[(i + k) % 4], sites[(i * 3 + k) % 4], anesthesia[(i + 2 * k) % 3]))
    schedule = read_schedule(synthetic.write_schedule(tmp_path / "schedule.csv", rows))
    with open_warehouse(str(random_db)) as warehouse:
        got = by_person(run(warehouse, protocol, synthetic.AS_OF_MAY, {}, schedule))
    con = duckdb.connect(str(random_db), read_only=True)
    try:
        want = oracle(con, protocol, synthetic.AS_OF_MAY, schedule)
    finally:
        con.close()
    assert got == want
