"""``stromalab prescreen``: run a protocol's criteria over an OMOP warehouse (docs/warehouse.md).

Exit 0 after writing the table; exit 2 with one line on standard error naming the missing
table or column, the unreadable file or the bad date.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ENGINES = ("duckdb", "postgres", "spark")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--omop", required=True, metavar="WAREHOUSE",
                        help="DuckDB file, folder of CSV/Parquet tables, or postgresql:// URL")
    parser.add_argument("--as-of", required=True, metavar="DATE", help="pre-screening date, YYYY-MM-DD")
    parser.add_argument("--schedule", type=Path, metavar="FILE",
                        help="CSV person_id,date,procedure,site,anesthesia (population = its persons)")
    parser.add_argument("--protocol", default="NCT05947682", help="protocol id or folder")
    parser.add_argument("--schema", help="schema holding the OMOP tables (default: main / public)")
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.add_argument("--out", type=Path, metavar="FILE", help="write here instead of standard output")
    parser.add_argument("--attrition", type=Path, metavar="FILE",
                        help="write attrition as CSV criterion,fails,remaining (default: table on stderr)")
    parser.add_argument("--engine", choices=ENGINES,
                        help="where the query runs (default: postgres for a URL, else duckdb)")


def run(args: argparse.Namespace) -> int:
    from stromalab.core.protocol import load_protocol
    from stromalab.core.warehouse import output
    from stromalab.core.warehouse.concepts import load_concept_sets
    from stromalab.core.warehouse.engines import open_warehouse
    from stromalab.core.warehouse.errors import WarehouseError
    from stromalab.core.warehouse.schedule import parse_date, read_schedule
    from stromalab.core.warehouse.screening import prescreen
    from stromalab.core.yamlsource import SourceError

    from .environment import protocols_root

    try:
        as_of = parse_date(args.as_of, "bad date for --as-of")
        protocol = load_protocol(args.protocol, root=protocols_root())
        concept_sets = load_concept_sets(protocol.folder, protocol.id, protocol.codelists)
        schedule = read_schedule(args.schedule) if args.schedule is not None else None
        with open_warehouse(args.omop, args.engine, args.schema) as warehouse:
            result = prescreen(warehouse, protocol, as_of, concept_sets, schedule, explain=args.format == "json")
    except (WarehouseError, SourceError) as exc:
        print(f"stromalab prescreen: {exc}", file=sys.stderr)
        return 2
    lines = output.csv_lines(result) if args.format == "csv" else output.json_lines(result)
    try:
        if args.out is not None:
            with args.out.open("w", encoding="utf-8", newline="") as handle:
                handle.writelines(lines)
        else:
            sys.stdout.writelines(lines)
        if args.attrition is not None:
            args.attrition.write_text(output.attrition_csv(result), encoding="utf-8")
        else:
            sys.stderr.write(output.attrition_table(result))
    except BrokenPipeError:  # e.g. piped into head: the reader has what it wanted
        sys.stderr.close()
        return 0
    except OSError as exc:
        print(f"stromalab prescreen: cannot write {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    return 0
