"""Benchmark: FCS reading and the ISCT phenotype on a 1,000,000-event x 12-channel panel.

    .venv/bin/python benchmarks/fcs.py [--events 1000000] [--repeat 3]

Writes (in a temporary folder: nothing is committed) a stained tube and a control tube as
FCS 3.1 big-endian float32, BD-style, with a spillover matrix, FSC-H and a viability dye.
Reports the best of ``--repeat`` runs of: a bare ``numpy.fromfile`` of the data segments
(the floor any reader has to pay), ``read_fcs``, FlowIO's read of the same file, the whole
phenotype (reading both tubes, compensating, gating, thresholds, percent positive), the
phenotype alone on tubes already read, and the same with histograms. Each line gives the best
wall time and the best CPU time of the process (``time.process_time``): on a shared machine
the CPU time is the steadier figure, and it shows when BLAS threads add work.
Target: phenotype <= 5x the bare ``numpy.fromfile`` of the two data segments.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import flowio
import numpy as np

from stromalab.core.cytometry import read_fcs
from stromalab.core.cytometry.phenotype import phenotype

CHANNELS = [
    ("FSC-A", ""),
    ("FSC-H", ""),
    ("SSC-A", ""),
    ("7-AAD-A", "7-AAD"),
    ("FITC-A", "CD90 FITC"),
    ("PE-A", "CD105 PE"),
    ("PerCP-A", "CD45 PerCP"),
    ("PE-Cy7-A", "CD34 PE-Cy7"),
    ("APC-A", "CD73 APC"),
    ("APC-Cy7-A", "HLA-DR APC-Cy7"),
    ("BV421-A", "CD14 BV421"),
    ("BV510-A", "CD19 BV510"),
]
FLUOR = [name for name, _ in CHANNELS[4:]]


def make_tube(
    rng: np.random.Generator, events: int, stained: bool
) -> tuple[np.ndarray, np.ndarray]:
    fsc = rng.normal(100_000, 15_000, events)
    scatter = [fsc, fsc * 0.8 * rng.normal(1, 0.04, events), rng.normal(60_000, 12_000, events)]
    dye = rng.normal(50, 60, events)
    dye[rng.random(events) < 0.05] = 20_000
    fluor = rng.normal(0, 60, (events, len(FLUOR)))
    if stained:
        for j, fraction in enumerate((0.98, 0.97, 0.005, 0.005, 0.99, 0.005, 0.005, 0.002)):
            positive = rng.random(events) < fraction
            fluor[positive, j] = rng.lognormal(np.log(12_000), 0.3, positive.sum())
    spill = np.eye(len(FLUOR)) + 0.05 * np.eye(len(FLUOR), k=1)
    values = np.column_stack([*scatter, dye, fluor @ spill])
    values[:, :3] = np.clip(values[:, :3], 0, 262_143)
    return values, spill


def write_fcs(path: Path, values: np.ndarray, spill: np.ndarray) -> int:
    """FCS 3.1, float32 big-endian; returns the DATA segment's first byte."""
    keywords = {
        "$BYTEORD": "4,3,2,1",
        "$DATATYPE": "F",
        "$MODE": "L",
        "$NEXTDATA": "0",
        "$PAR": str(len(CHANNELS)),
        "$TOT": str(values.shape[0]),
        "$SPILLOVER": ",".join([str(len(FLUOR)), *FLUOR, *(f"{v:g}" for v in spill.ravel())]),
    }
    for n, (name, label) in enumerate(CHANNELS, start=1):
        keywords |= {f"$P{n}N": name, f"$P{n}B": "32", f"$P{n}E": "0,0", f"$P{n}R": "262144"}
        if label:
            keywords[f"$P{n}S"] = label
    data = values.astype(">f4").tobytes()
    keywords |= {"$BEGINDATA": "0" * 12, "$ENDDATA": "0" * 12}
    text_length = len("/" + "".join(f"{k}/{v}/" for k, v in keywords.items()))
    start = 58 + text_length
    keywords |= {"$BEGINDATA": f"{start:012d}", "$ENDDATA": f"{start + len(data) - 1:012d}"}
    text = "/" + "".join(f"{k}/{v}/" for k, v in keywords.items())
    stop = start + len(data) - 1
    header = "FCS3.1    " + "".join(f"{v:>8}" for v in (58, start - 1, start, stop, 0, 0))
    path.write_bytes(header.encode() + text.encode() + data)
    return start


def best(repeat: int, action: Callable[[], object]) -> tuple[float, float]:
    """(best wall time, best CPU time) over ``repeat`` runs, in seconds."""
    wall, cpu = [], []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return min(wall), min(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(20260101)
    with tempfile.TemporaryDirectory() as folder:
        stained, control = Path(folder) / "stained.fcs", Path(folder) / "control.fcs"
        starts = {
            stained: write_fcs(stained, *make_tube(rng, args.events, True)),
            control: write_fcs(control, *make_tube(rng, args.events, False)),
        }
        count = args.events * len(CHANNELS)

        def fromfile_both() -> None:
            for path, start in starts.items():
                np.fromfile(path, dtype=">f4", count=count, offset=start)

        def flowio_read() -> None:
            flowio.FlowData(str(stained)).as_array(preprocess=False)

        def run_phenotype() -> None:
            phenotype(read_fcs(control), [read_fcs(stained)])

        run_phenotype()  # warm the page cache and imports
        bare = best(args.repeat, fromfile_both)
        ours = best(args.repeat, lambda: read_fcs(stained))
        theirs = best(args.repeat, flowio_read)
        whole = best(args.repeat, run_phenotype)
        tubes = read_fcs(control), [read_fcs(stained)]
        alone = best(args.repeat, lambda: phenotype(*tubes))
        drawn = best(args.repeat, lambda: phenotype(*tubes, histograms=True))
        decoder = tubes[1][0].decoder
        result = phenotype(*tubes)

    def line(label: str, timing: tuple[float, float], note: str = "") -> str:
        return f"{label:<40}: {timing[0]:.3f} s  (cpu {timing[1]:.3f} s){note}"

    print(
        f"{args.events:,} events x {len(CHANNELS)} channels, float32 big-endian, best of {args.repeat}"
    )
    print(line("numpy.fromfile, both data segments", bare))
    print(line("read_fcs, one file", ours, f"  decoder: {decoder}"))
    print(
        line("FlowIO read, one file", theirs, f"  read_fcs / FlowIO = {ours[0] / theirs[0]:.2f}x")
    )
    print(
        line(
            "phenotype, control + stained",
            whole,
            f"  phenotype / fromfile = {whole[0] / bare[0]:.2f}x"
            f" (cpu {whole[1] / bare[1]:.2f}x), target <= 5x",
        )
    )
    print(line("  of which on tubes already read", alone))
    print(line("  the same with histograms", drawn))
    print(
        f"verdict {result.verdict}: "
        + ", ".join(f"{c.marker} {c.value:.2f}" for c in result.criteria if c.value is not None)
    )


if __name__ == "__main__":
    main()
