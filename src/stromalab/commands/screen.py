"""``stromalab screen``: decide eligibility for screening records (the screening contract).

Exit 0 when every record was screened, whatever the verdicts; 2 when any record was invalid
(the valid ones are still screened and printed) or the input or protocol could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, TextIO


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE|-", help="one record, a JSON array of records, or JSON Lines; - for stdin")
    parser.add_argument("--protocol", default="NCT05947682", help="study id or protocol folder (default: %(default)s)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: %(default)s)")


class InputError(Exception):
    """The input as a whole cannot be read."""


def read_records(text: str) -> Iterator[tuple[str, Any]]:
    """Yield (position, decoded value) for one record, an array, or JSON Lines.

    Numbers are decoded as Decimal so that BMI is computed from the digits written. A line of
    JSON Lines that is not valid JSON is yielded as an :class:`InputError` for that position.
    """
    stripped = text.strip()
    if not stripped:
        raise InputError("no record in the input")
    try:
        whole = json.loads(stripped, parse_float=Decimal)
    except json.JSONDecodeError:
        whole = None
        lines_mode = True
    else:
        lines_mode = False
    if not lines_mode:
        if isinstance(whole, list):
            for i, item in enumerate(whole, 1):
                yield f"record {i}", item
        else:
            yield "record 1", whole
        return
    number = 0
    for line_no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        number += 1
        try:
            yield f"record {number} (line {line_no})", json.loads(line, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            yield f"record {number} (line {line_no})", InputError(f"not valid JSON: {exc.msg} at column {exc.colno}")


def _write_text(out: TextIO, result: Any) -> None:
    out.write(f"{result.donor}: {result.verdict.upper()} ({result.protocol}, as of {result.as_of})\n")
    for criterion in result.criteria:
        if criterion.status != "pass":
            flag = "  [discrepancy: raise a data query]" if criterion.discrepancy else ""
            out.write(f"  {criterion.id:<4} {criterion.status:<7} {criterion.reason}{flag}\n")
    if result.ignored:
        out.write(f"  ignored codes: {', '.join(result.ignored)}\n")


def run(args: argparse.Namespace) -> int:
    from stromalab.core.eligibility import RecordError, screen
    from stromalab.core.eligibility.evaluate import to_json_line
    from stromalab.core.protocol import load_protocol
    from stromalab.core.yamlsource import SourceError

    from .environment import protocols_root

    try:
        protocol = load_protocol(args.protocol, root=protocols_root())
    except SourceError as exc:
        print(f"stromalab screen: protocol: {exc}", file=sys.stderr)
        return 2
    try:
        if args.file == "-":
            text = sys.stdin.read()
        else:
            with open(args.file, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as exc:
        print(f"stromalab screen: {args.file}: cannot read ({exc.strerror})", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"stromalab screen: {args.file}: not UTF-8 text", file=sys.stderr)
        return 2

    out = sys.stdout
    status = 0
    pending: list[str] = []  # written in batches: one write per record costs more than screening it
    try:
        for position, data in read_records(text):
            if isinstance(data, InputError):
                print(f"stromalab screen: {position}: {data}", file=sys.stderr)
                status = 2
                continue
            try:
                result = screen(protocol, data)
            except RecordError as exc:
                donor = f" (donor {exc.donor})" if exc.donor else ""
                print(f"stromalab screen: {position}{donor}: {exc.field}: {exc.message}", file=sys.stderr)
                status = 2
                continue
            if args.format == "json":
                pending.append(to_json_line(result))
                if len(pending) >= 1000:
                    out.write("\n".join(pending) + "\n")
                    pending.clear()
            else:
                _write_text(out, result)
    except InputError as exc:
        print(f"stromalab screen: {args.file}: {exc}", file=sys.stderr)
        return 2
    finally:
        if pending:
            out.write("\n".join(pending) + "\n")
    return status
