"""``stromalab fcs``: read FCS files and compute the ISCT immunophenotype of a panel.

    stromalab fcs phenotype --control unstained.fcs cd73_cd90.fcs negatives.fcs
    stromalab fcs phenotype --control iso.fcs tube.fcs --marker "FL4-A=CD105" --format json
    stromalab fcs phenotype --control iso.fcs tube.fcs --format json --histograms
    stromalab fcs info tube.fcs

A file that is not a readable FCS file gets one line on stderr naming it and the problem, and
exit status 2; otherwise the status is 0 whatever the verdict.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stromalab.core.cytometry import FcsData
    from stromalab.core.cytometry.phenotype import PhenotypeResult, TubeResult


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    pheno = actions.add_parser(
        "phenotype",
        help="percent positive per marker against a control tube, and the ISCT verdict",
    )
    pheno.add_argument(
        "--control", required=True, metavar="CONTROL.fcs", help="unstained or isotype control tube"
    )
    pheno.add_argument("stained", nargs="+", metavar="STAINED.fcs", help="stained tube(s)")
    pheno.add_argument("--format", choices=("text", "json"), default="text")
    pheno.add_argument(
        "--histograms",
        action="store_true",
        help="add per-marker histograms of control against stained (bin edges and counts) "
        "to the JSON output (needs --format json)",
    )
    pheno.add_argument(
        "--marker",
        action="append",
        default=[],
        metavar="CHANNEL=MARKER",
        help="name the marker a channel ($PnN or $PnS) measures, e.g. FL4-A=CD105 (repeatable)",
    )
    info = actions.add_parser("info", help="print the channels and keywords of an FCS file")
    info.add_argument("file", metavar="FILE")
    info.add_argument(
        "--dataset", type=int, default=0, metavar="N", help="data set to describe (0 = first)"
    )


def run(args: argparse.Namespace) -> int:
    from stromalab.core.cytometry import FcsError

    try:
        if args.action == "info":
            print(_info(args.file, args.dataset))
        else:
            print(_phenotype(args))
    except FcsError as error:
        print(f"stromalab fcs: error: {error}", file=sys.stderr)
        return 2
    return 0


def _phenotype(args: argparse.Namespace) -> str:
    from stromalab.core.cytometry import FcsError, read_fcs
    from stromalab.core.cytometry.phenotype import phenotype

    explicit = {}
    for item in args.marker:
        channel, sep, marker = item.rpartition("=")
        if not sep or not channel.strip() or not marker.strip():
            raise FcsError(f"--marker {item}", "expected CHANNEL=MARKER")
        explicit[channel.strip()] = marker.strip()
    if args.histograms and args.format != "json":
        raise FcsError("--histograms", "needs --format json")
    control = read_fcs(args.control)
    stained = [read_fcs(path) for path in args.stained]
    result = phenotype(control, stained, explicit, histograms=args.histograms)
    if args.format == "json":
        return json.dumps(result.as_json(histograms=args.histograms), indent=2)
    return _phenotype_text(result)


def _phenotype_text(result: PhenotypeResult) -> str:
    lines = [_tube_line("Control", result.control)]
    lines.append(
        f"Threshold: {result.threshold_percentile:g}th percentile of the gated control "
        "in each channel"
    )
    for tube in result.tubes:
        lines += ["", _tube_line("Tube", tube)]
        if not tube.markers:
            lines.append("  no marker channel recognised (use --marker CHANNEL=MARKER)")
            continue
        lines.append(f"  {'marker':<10} {'channel':<16} {'threshold':>12} {'% positive':>11}")
        lines += [
            f"  {m.marker:<10} {m.channel:<16} {m.threshold:>12.6g} {m.percent_positive:>11.2f}"
            for m in tube.markers
        ]
    lines += ["", f"{result.panel}: {result.verdict.upper()}"]
    lines.append(f"  {'marker':<12} {'limit':<7} {'value':>7}  status")
    for row in result.criteria:
        value = "-" if row.value is None else f"{row.value:.2f}"
        lines.append(f"  {row.marker:<12} {row.limit:<7} {value:>7}  {row.status}")
    notes = [
        f"note: {tube.file}: {note}"
        for tube in (result.control, *result.tubes)
        for note in tube.notes
    ]
    return "\n".join(lines + (["", *notes] if notes else []))


def _tube_line(title: str, tube: TubeResult) -> str:
    gates = ", ".join(f"{step.name} {step.remaining}" for step in tube.gates[1:])
    return f"{title} {tube.file}: {tube.events} events, {tube.gated_events} gated ({gates})"


def _info(path: str, dataset: int) -> str:
    from pathlib import Path

    from stromalab.core.cytometry import count_datasets, parse_fcs

    source = str(path)
    try:
        buffer = Path(path).read_bytes()
    except OSError as error:
        from stromalab.core.cytometry import FcsError

        raise FcsError(source, f"cannot be read ({error.strerror or error})") from None
    data = parse_fcs(buffer, source, dataset)
    return _describe(data, count_datasets(buffer, source))


def _describe(data: FcsData, datasets: int) -> str:
    lines = [
        f"{data.source}: FCS {data.version}, data set {data.dataset + 1} of {datasets}, "
        f"{data.event_count} events x {len(data.channels)} channels (decoded by {data.decoder})",
        f"  {'#':>3}  {'$PnN':<24} {'$PnS':<24} {'$PnB':>4} {'$PnR':>12}",
    ]
    lines += [
        f"  {c.number:>3}  {c.name:<24} {c.label:<24} {c.bits:>4} "
        f"{'-' if c.range is None else format(c.range, 'g'):>12}"
        for c in data.channels
    ]
    if data.spillover is not None:
        lines.append(f"spillover ({data.spillover.keyword}): {', '.join(data.spillover.channels)}")
    lines += [f"note: {note}" for note in data.notes]
    lines.append("keywords:")
    lines += [f"  {key} = {value}" for key, value in data.keywords.items()]
    return "\n".join(lines)
