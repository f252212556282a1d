"""Benchmark ``stromalab prescreen`` against an expert's SQL statement (docs/performance.md).

    .venv/bin/python benchmarks/prescreen.py [--persons 1000000] [--small 100000] [--repeat 3]
        [--data DIR] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Generates (once, in ``--data``, by default a folder of the system's temporary directory,
never inside the repository) warehouses of ``--small`` and ``--persons`` persons (≈2.5
conditions, 2.5 drug exposures, 6 measurements each) and a 50,000-person schedule. Then, for
each size and each population (the schedule; everyone), it runs in turn, ``--repeat`` times,
each in its own process so that peak memory is its own: the compiled pre-screening, and the
statement an expert would write by hand for the same criteria on DuckDB (population first,
raw columns, arg_max, exact decimals only for the latest weight and height, islands for the
exposure days). Both must return the same rows. The per-person core evaluator is timed on a
sample and extrapolated. With ``--postgres``, the warehouses are loaded into a database of
their own (dropped at the end) with the indexes docs/warehouse.md advises, and the compiled
query is timed there too. Prints Markdown tables (best of ``--repeat``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2022, 5, 31)
SCHEDULE_PERSONS = 50_000

# The expert's statement: each table restricted to the population before anything else, raw
# columns compared with constants, arg_max for the latest measurement, decimals only for the
# chosen weight and height (BMI), gaps-and-islands for the days of corticosteroids.
EXPERT = r"""
WITH pop AS ({population}),
per AS (
  SELECT person_id, CASE gender_concept_id WHEN 8532 THEN 'f' WHEN 8507 THEN 'm' END AS sex,
    year_of_birth AS y, CASE WHEN month_of_birth BETWEEN 1 AND 12 THEN month_of_birth END AS m,
    day_of_birth AS d, CAST(birth_datetime AS DATE) AS bd
  FROM person WHERE person_id IN (SELECT person_id FROM pop)),
born AS (
  SELECT person_id, sex,
    CASE WHEN m IS NOT NULL AND d BETWEEN 1 AND day(last_day(make_date(y, m, 1))) THEN make_date(y, m, d)
         WHEN bd IS NOT NULL THEN bd ELSE make_date(y, coalesce(m, 1), 1) END AS lo,
    CASE WHEN m IS NOT NULL AND d BETWEEN 1 AND day(last_day(make_date(y, m, 1))) THEN make_date(y, m, d)
         WHEN bd IS NOT NULL THEN bd ELSE last_day(make_date(y, coalesce(m, 12), 1)) END AS hi
  FROM per),
ages AS (
  SELECT person_id, sex,
    CASE WHEN lo > DATE '{as_of}' THEN NULL
         ELSE {year} - year(least(hi, DATE '{as_of}')) - CASE WHEN {md} < CASE WHEN month(least(hi, DATE '{as_of}')) = 2
              AND day(least(hi, DATE '{as_of}')) = 29 AND NOT {leap} THEN 301
              ELSE month(least(hi, DATE '{as_of}')) * 100 + day(least(hi, DATE '{as_of}')) END THEN 1 ELSE 0 END END AS age_lo,
    CASE WHEN lo > DATE '{as_of}' THEN NULL
         ELSE {year} - year(lo) - CASE WHEN {md} < CASE WHEN month(lo) = 2 AND day(lo) = 29 AND NOT {leap} THEN 301
              ELSE month(lo) * 100 + day(lo) END THEN 1 ELSE 0 END END AS age_hi
  FROM born),
meas AS (
  SELECT person_id,
    arg_max(value_as_number, (measurement_date, measurement_id)) FILTER (WHERE measurement_source_value = '29463-7') AS w,
    arg_max(value_as_number, (measurement_date, measurement_id)) FILTER (WHERE measurement_source_value = '8302-2' AND value_as_number < 300) AS h,
    arg_max(value_as_number, (measurement_date, measurement_id)) FILTER (WHERE measurement_source_value = '8480-6' AND value_as_number < 400) AS sys,
    arg_max(value_as_number, (measurement_date, measurement_id)) FILTER (WHERE measurement_source_value = '8462-4' AND value_as_number < 400) AS dia
  FROM measurement
  WHERE person_id IN (SELECT person_id FROM pop)
    AND measurement_source_value IN ('29463-7', '8302-2', '8480-6', '8462-4')
    AND measurement_date BETWEEN DATE '{as_of}' - 365 AND DATE '{as_of}'
    AND value_as_number > 0 AND value_as_number < 500
  GROUP BY person_id),
concepts AS (
  SELECT descendant_concept_id AS concept_id, ancestor_concept_id AS root FROM concept_ancestor
  WHERE ancestor_concept_id IN ({roots})
  UNION SELECT unnest([{roots}]), unnest([{roots}])),
cond AS (
  SELECT person_id,
    bool_or(c3 IN ('A81', 'F00', 'F01', 'F02', 'F03', 'G30', 'G31') OR root = 4182210) AS e8,
    bool_or(c3 BETWEEN 'C81' AND 'C96' OR c3 BETWEEN 'D45' AND 'D47') AS e10,
    bool_or(c3 BETWEEN 'C00' AND 'C97' OR c3 BETWEEN 'D00' AND 'D09' OR root = 443392) AS e11,
    bool_or(c3 IN ('M05', 'M06', 'M08', 'M45', 'G35', 'D86') OR c3 BETWEEN 'M30' AND 'M36'
            OR root IN (80809, 257628, 374919, 134442)) AS e13,
    bool_or(c3 IN ('R16', 'R59') AND active) AS e14,
    bool_or(c3 = 'R17' AND active) AS e15,
    bool_or(c3 IN ('D66', 'D67') OR code LIKE 'D681%') AS e16,
    bool_or(c3 = 'E10' OR root = 201254) AS e17
  FROM (SELECT person_id, code, CASE WHEN ok THEN substr(code, 1, 3) END AS c3, active, root
        FROM (SELECT person_id, replace(upper(trim(condition_source_value)), '.', '') AS code,
                     regexp_full_match(upper(trim(condition_source_value)), '[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{{1,4}})?') AS ok,
                     condition_end_date IS NULL OR condition_end_date >= DATE '{as_of}' AS active, root
              FROM condition_occurrence LEFT JOIN concepts ON concept_id = condition_concept_id
              WHERE person_id IN (SELECT person_id FROM pop) AND condition_start_date <= DATE '{as_of}'))
  GROUP BY person_id),
drugs AS (
  SELECT person_id, upper(trim(drug_source_value)) AS code, drug_exposure_start_date AS s,
         drug_exposure_end_date AS e, root,
         regexp_full_match(upper(trim(drug_source_value)), '[A-Z]([0-9]{{2}}([A-Z]([A-Z]([0-9]{{2}})?)?)?)?') AS ok
  FROM drug_exposure LEFT JOIN concepts ON concept_id = drug_concept_id
  WHERE person_id IN (SELECT person_id FROM pop) AND drug_exposure_start_date <= DATE '{as_of}'),
drug_flags AS (
  SELECT person_id,
    bool_or((ok AND code LIKE 'L01%') OR root = 21601387) AS e12,
    bool_or(((ok AND code LIKE 'A10A%') OR root = 21600713) AND (e IS NULL OR e >= DATE '{as_of}')) AS e17,
    bool_or(ok AND code LIKE 'N05AN01%' AND (e IS NULL OR e >= DATE '{as_of}')) AS e20
  FROM drugs GROUP BY person_id),
steroid_spans AS (
  SELECT person_id, greatest(s, DATE '{first}') AS ds, least(coalesce(e, DATE '{as_of}'), DATE '{as_of}') AS de
  FROM drugs WHERE ((ok AND code LIKE 'H02%') OR root = 21602722)
    AND greatest(s, DATE '{first}') <= least(coalesce(e, DATE '{as_of}'), DATE '{as_of}')),
steroid_days AS (
  SELECT person_id, sum(days) AS days FROM (
    SELECT person_id, max(de) - min(ds) + 1 AS days FROM (
      SELECT person_id, ds, de, sum(CASE WHEN reach IS NULL OR ds > reach THEN 1 ELSE 0 END)
        OVER (PARTITION BY person_id ORDER BY ds, de ROWS UNBOUNDED PRECEDING) AS island
      FROM (SELECT *, max(de) OVER (PARTITION BY person_id ORDER BY ds, de ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
            FROM steroid_spans))
    GROUP BY person_id, island)
  GROUP BY person_id),
decided AS (
  SELECT pop.person_id,
    CASE WHEN age_lo BETWEEN 18 AND 55 AND age_hi BETWEEN 18 AND 55 THEN TRUE
         WHEN NOT (age_lo BETWEEN 18 AND 55) AND NOT (age_hi BETWEEN 18 AND 55) THEN FALSE END AS i1,
    CAST(CAST(w AS VARCHAR) AS DECIMAL(38, 10)) * 10000 < 30 * CAST(CAST(h AS VARCHAR) AS DECIMAL(38, 10)) ^ 2 AS i2,
    w < 50 AS e1,
    CASE WHEN sys >= 160 OR dia >= 100 THEN TRUE END AS e5,
    CASE WHEN cond.e8 THEN TRUE END AS e8, CASE WHEN cond.e10 THEN TRUE END AS e10,
    CASE WHEN cond.e11 THEN TRUE END AS e11, CASE WHEN drug_flags.e12 THEN TRUE END AS e12,
    CASE WHEN cond.e13 THEN TRUE END AS e13, CASE WHEN cond.e14 THEN TRUE END AS e14,
    CASE WHEN cond.e15 THEN TRUE END AS e15, CASE WHEN cond.e16 THEN TRUE END AS e16,
    CASE WHEN cond.e17 OR drug_flags.e17 THEN TRUE END AS e17,
    CASE WHEN steroid_days.days > 5 THEN TRUE END AS e19,
    CASE WHEN drug_flags.e20 THEN TRUE END AS e20,
    CASE WHEN sex = 'm' THEN FALSE END AS e21,
    {i4} AS i4
  FROM pop LEFT JOIN ages USING (person_id) LEFT JOIN meas USING (person_id)
  LEFT JOIN cond USING (person_id) LEFT JOIN drug_flags USING (person_id) LEFT JOIN steroid_days USING (person_id) {schedule_join})
SELECT person_id,
  concat_ws(';', CASE WHEN NOT i1 THEN 'I1' END, CASE WHEN NOT i2 THEN 'I2' END, CASE WHEN NOT i4 THEN 'I4' END,
    CASE WHEN e1 THEN 'E1' END, CASE WHEN e5 THEN 'E5' END, CASE WHEN e8 THEN 'E8' END,
    CASE WHEN e10 THEN 'E10' END, CASE WHEN e11 THEN 'E11' END, CASE WHEN e12 THEN 'E12' END,
    CASE WHEN e13 THEN 'E13' END, CASE WHEN e14 THEN 'E14' END, CASE WHEN e15 THEN 'E15' END,
    CASE WHEN e16 THEN 'E16' END, CASE WHEN e17 THEN 'E17' END, CASE WHEN e19 THEN 'E19' END,
    CASE WHEN e20 THEN 'E20' END) AS failed,
  concat_ws(';', CASE WHEN i1 IS NULL THEN 'I1' END, CASE WHEN i2 IS NULL THEN 'I2' END, 'I3',
    CASE WHEN i4 IS NULL THEN 'I4' END, 'I5;I6',
    CASE WHEN e1 IS NULL THEN 'E1' END, 'E2;E3;E4', CASE WHEN e5 IS NULL THEN 'E5' END, 'E6;E7',
    CASE WHEN e8 IS NULL THEN 'E8' END, 'E9', CASE WHEN e10 IS NULL THEN 'E10' END,
    CASE WHEN e11 IS NULL THEN 'E11' END, CASE WHEN e12 IS NULL THEN 'E12' END,
    CASE WHEN e13 IS NULL THEN 'E13' END, CASE WHEN e14 IS NULL THEN 'E14' END,
    CASE WHEN e15 IS NULL THEN 'E15' END, CASE WHEN e16 IS NULL THEN 'E16' END,
    CASE WHEN e17 IS NULL THEN 'E17' END, 'E18', CASE WHEN e19 IS NULL THEN 'E19' END,
    CASE WHEN e20 IS NULL THEN 'E20' END, CASE WHEN e21 IS NULL THEN 'E21' END, 'E22') AS unknown
FROM decided ORDER BY person_id
"""

I4_SCHEDULED = """CASE max(CASE WHEN (lower(trim(procedure)) IN ('liposuction', 'lipoaspiration', 'lipo-aspiration')
    AND strpos(lower(site), 'abdom') > 0 AND lower(trim(anesthesia)) = 'general' AND date >= DATE '{as_of}') THEN 2
    WHEN NOT (lower(trim(procedure)) IN ('liposuction', 'lipoaspiration', 'lipo-aspiration')
    AND strpos(lower(site), 'abdom') > 0 AND lower(trim(anesthesia)) = 'general' AND date >= DATE '{as_of}') THEN 0
    ELSE 1 END) WHEN 2 THEN TRUE WHEN 0 THEN FALSE END"""


def expert_statement(schedule: bool) -> str:
    import calendar

    from stromalab.core.eligibility.dates import minus_months

    roots = "4182210, 443392, 21601387, 80809, 257628, 374919, 134442, 201254, 21600713, 21602722"
    text = EXPERT.format(
        as_of=AS_OF.isoformat(), first=minus_months(AS_OF, 3).isoformat(), year=AS_OF.year,
        md=AS_OF.month * 100 + AS_OF.day, leap="TRUE" if calendar.isleap(AS_OF.year) else "FALSE",
        roots=roots, i4="{i4}", population="{population}", schedule_join="{schedule_join}",
    )
    if schedule:
        i4 = "sched.i4"
        population = "SELECT DISTINCT person_id FROM stromalab_schedule"
        join = ("LEFT JOIN (SELECT person_id, " + I4_SCHEDULED.format(as_of=AS_OF.isoformat())
                + " AS i4 FROM stromalab_schedule GROUP BY person_id) sched USING (person_id)")
    else:
        i4, population, join = "CAST(NULL AS BOOLEAN)", "SELECT person_id FROM person", ""
    # The placeholders keep one text above for both populations.
    return text.replace("{i4}", i4).replace("{population}", population).replace("{schedule_join}", join)


def warehouse(data: Path, persons: int) -> Path:
    from stromalab.core.warehouse import synthetic

    data.mkdir(parents=True, exist_ok=True)
    path = data / f"omop-{persons}.duckdb"
    if not path.exists():
        started = time.perf_counter()
        synthetic.write(path.with_suffix(".tmp"), persons, 1, AS_OF)
        path.with_suffix(".tmp").rename(path)
        print(f"generated {path.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def schedule_file(data: Path, persons: int) -> Path:
    from stromalab.core.warehouse import synthetic

    path = data / f"schedule-{persons}.csv"
    if not path.exists():
        step = max(1, persons // SCHEDULE_PERSONS)
        rows = [(pid, "2022-06-15", "liposuction", "abdominal wall", "general")
                for pid in range(synthetic.RANDOM_FROM, synthetic.RANDOM_FROM + persons, step)][:SCHEDULE_PERSONS]
        synthetic.write_schedule(path, rows)
    return path


def measure(mode: str, location: str, schedule: Path | None, sample: int) -> dict[str, object]:
    """Run one measurement in this process (called in a child process): from opening the
    warehouse to the last row fetched (and, for the compiled query, the attrition)."""
    import duckdb

    from stromalab.core.protocol import load_protocol
    from stromalab.core.warehouse.concepts import load_concept_sets
    from stromalab.core.warehouse.engines import DuckDBWarehouse, open_warehouse
    from stromalab.core.warehouse.schedule import read_schedule
    from stromalab.core.warehouse.screening import prescreen

    protocol = load_protocol("NCT05947682")
    concept_sets = load_concept_sets(protocol.folder, protocol.id, protocol.codelists)
    rows = read_schedule(schedule) if schedule is not None else None
    result: dict[str, object] = {}
    if mode == "compiled":
        started = time.perf_counter()
        with open_warehouse(location) as wh:
            out = prescreen(wh, protocol, AS_OF, concept_sets, rows)
        result["seconds"] = time.perf_counter() - started
        result["persons"] = len(out.person_ids)
        result["digest"] = _digest(list(zip(out.person_ids, out.failed, out.unknown, strict=True)))
    elif mode == "expert":
        started = time.perf_counter()
        con = duckdb.connect(location, read_only=True)
        if rows is not None:
            DuckDBWarehouse(con, "main").load_schedule(rows)
        fetched = con.execute(expert_statement(rows is not None)).fetchall()
        result["seconds"] = time.perf_counter() - started
        result["persons"] = len(fetched)
        result["digest"] = _digest(fetched)
    else:
        from tests.core.warehouse.oracle import oracle  # the OMOP -> record conversion

        con = duckdb.connect()
        con.execute(f"ATTACH '{location}' AS src (READ_ONLY)")
        for table in ("person", "measurement", "condition_occurrence", "drug_exposure"):
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM src.{table} WHERE person_id < {1000 + sample}")
        total = con.execute("SELECT count(*) FROM src.person").fetchone()[0]
        started = time.perf_counter()
        screened = oracle(con, protocol, AS_OF)
        elapsed = time.perf_counter() - started
        result["seconds"] = elapsed / len(screened) * total
        result["persons"] = total
        result["sample"] = len(screened)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _digest(rows: list[tuple[object, ...]]) -> str:
    """The same rows give the same digest in every process (unlike hash())."""
    import hashlib

    return hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()[:16]


def child(mode: str, location: str, schedule: Path | None, sample: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", mode, "--location", location, "--sample", str(sample)]
    if schedule is not None:
        command += ["--schedule", str(schedule)]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    digests = {r["digest"] for r in runs}
    assert len(digests) == 1, "one method gave different rows from run to run"
    return {**min(runs, key=lambda r: r["seconds"]), "peak_mb": max(r["peak_mb"] for r in runs)}


# --- PostgreSQL ------------------------------------------------------------------------------

#: the indexes docs/warehouse.md advises
INDEXES = (
    "CREATE INDEX ON person (person_id)",
    "CREATE INDEX ON measurement (person_id)",
    "CREATE INDEX ON condition_occurrence (person_id)",
    "CREATE INDEX ON drug_exposure (person_id)",
    "CREATE INDEX ON concept_ancestor (ancestor_concept_id)",
)


def postgres_database(server: str, name: str, db: Path) -> str:
    """Create the database ``name`` holding the warehouse ``db`` (COPY, indexes, ANALYZE)."""
    import duckdb
    import psycopg

    from stromalab.core.warehouse import synthetic

    drop_database(server, name)
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(url, autocommit=True) as con, tempfile.TemporaryDirectory() as folder:
        src = duckdb.connect(str(db), read_only=True)
        for table in synthetic.TABLES:
            columns = src.execute(f"DESCRIBE {table}").fetchall()
            ddl = ", ".join(f"{c[0]} {c[1].replace('DOUBLE', 'DOUBLE PRECISION')}" for c in columns)
            con.execute(f"CREATE TABLE {table} ({ddl})")
            path = Path(folder) / f"{table}.csv"
            src.execute(f"COPY {table} TO '{path}' (FORMAT csv, HEADER false)")
            with con.cursor().copy(f"COPY {table} FROM STDIN (FORMAT csv)") as copy, path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    copy.write(block)
        src.close()
        for statement in INDEXES:
            con.execute(statement)
        con.execute("ANALYZE")
    return url


def drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


# --- the run ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "stromalab-prescreen-benchmark")
    parser.add_argument("--postgres", metavar="URL", help="also time the compiled query on this PostgreSQL server")
    parser.add_argument("--child")
    parser.add_argument("--location")
    parser.add_argument("--schedule", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        print(json.dumps(measure(args.child, args.location, args.schedule, args.sample)))
        return
    if args.data.resolve().is_relative_to(ROOT):
        parser.error("--data must be outside the repository (generated data are never committed)")
    lines = ["| warehouse | population | method | seconds | peak MB | compiled / expert |", "|---|---|---|---:|---:|---:|"]
    figures: dict[tuple[int, str], float] = {}
    digests: dict[tuple[int, str], str] = {}
    sizes = (args.small, args.persons)
    dbs = {persons: warehouse(args.data, persons) for persons in sizes}
    for persons in sizes:
        db = dbs[persons]
        for label, schedule in (("schedule", schedule_file(args.data, persons)), ("everyone", None)):
            runs: dict[str, list[dict[str, Any]]] = {"compiled": [], "expert": []}
            for _ in range(args.repeat):  # alternate, so that both meet the same machine load
                for mode, found in runs.items():
                    found.append(child(mode, str(db), schedule, args.sample))
            compiled, expert = best(runs["compiled"]), best(runs["expert"])
            assert compiled["digest"] == expert["digest"], "the expert's statement disagrees with the compiled query"
            figures[(persons, label)] = compiled["seconds"]
            digests[(persons, label)] = compiled["digest"]
            ratio = compiled["seconds"] / expert["seconds"]
            lines.append(f"| {persons:,} | {label} ({int(compiled['persons']):,}) | compiled | "
                         f"{compiled['seconds']:.2f} | {compiled['peak_mb']:.0f} | {ratio:.2f}× |")
            lines.append(f"| {persons:,} | {label} | expert's statement | {expert['seconds']:.2f} | {expert['peak_mb']:.0f} | |")
        core = child("core", str(db), None, args.sample)
        speedup = core["seconds"] / figures[(persons, "everyone")]
        lines.append(f"| {persons:,} | everyone | core evaluator ({int(core['sample']):,}-person sample, "
                     f"extrapolated) | {core['seconds']:.1f} | {core['peak_mb']:.0f} | compiled {speedup:.0f}× faster |")
    growth = figures[(args.persons, "everyone")] / figures[(args.small, "everyone")]
    lines.append(f"\nCost from {args.small:,} to {args.persons:,} persons (everyone): ×{growth:.1f} "
                 f"for ×{args.persons / args.small:.0f} persons.")
    if args.postgres:
        lines += ["\nPostgreSQL (compiled query; the same rows as on DuckDB):\n",
                  "| warehouse | population | seconds | client peak MB | load + index s |", "|---|---|---:|---:|---:|"]
        for persons in sizes:
            name = f"stromalab_prescreen_bench_{persons}_{os.getpid()}"
            try:
                started = time.perf_counter()
                url = postgres_database(args.postgres, name, dbs[persons])
                loaded = time.perf_counter() - started
                for label, schedule in (("schedule", schedule_file(args.data, persons)), ("everyone", None)):
                    found = best([child("compiled", url, schedule, args.sample) for _ in range(args.repeat)])
                    assert found["digest"] == digests[(persons, label)], "PostgreSQL disagrees with DuckDB"
                    lines.append(f"| {persons:,} | {label} | {found['seconds']:.2f} | {found['peak_mb']:.0f} | {loaded:.0f} |")
            finally:
                drop_database(args.postgres, name)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
