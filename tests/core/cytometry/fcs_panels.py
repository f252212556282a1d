"""Synthetic MSC panels: a control and stained tubes with known positive fractions.

Each tube holds intact single live cells plus the events the gates must remove: debris (low
FSC), saturated events (FSC at the top of the range), doublets (twice the area at the same
height) and dead cells (bright in 7-AAD). The removed events are deliberately bright in every
marker, so a gate that fails shows up as a wrong percentage. Fluorescence is mixed through a
spillover matrix that the file declares, so a missing compensation shows up too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tests.core.cytometry.fcs_writer import Column, DataSet, build_fcs

SCATTER = (
    Column("FSC-A", range=262144),
    Column("FSC-H", range=262144),
    Column("SSC-A", range=262144),
    Column("7-AAD-A", "7-AAD", range=262144),
)
SATURATION = 262143.0
NEGATIVE_SD = 60.0
POSITIVE_MEAN = 12000.0


@dataclass(frozen=True)
class Contaminants:
    debris: float = 0.08
    saturated: float = 0.02
    doublets: float = 0.06
    dead: float = 0.07


def expected_percent(positive_fraction: float) -> float:
    """What the 99th-percentile rule measures: all positives, and the 1 % of negatives that
    lie above the control's 99th percentile by construction (negatives share its law)."""
    return 100.0 * (positive_fraction + (1.0 - positive_fraction) * 0.01)


def tube(
    rng: np.random.Generator,
    markers: Mapping[str, tuple[str, float]],
    cells: int = 20000,
    spill: float = 0.12,
    contaminants: Contaminants = Contaminants(),
    with_height: bool = True,
    with_viability: bool = True,
) -> bytes:
    """An FCS file; ``markers`` maps a channel name to (its ``$PnS`` label, positive
    fraction among intact single live cells)."""
    names = list(markers)
    fluor = np.empty((cells, len(names)))
    for j, name in enumerate(names):
        positive = np.zeros(cells, dtype=bool)
        positive[rng.choice(cells, round(cells * markers[name][1]), replace=False)] = True
        fluor[:, j] = rng.normal(0.0, NEGATIVE_SD, cells)
        fluor[positive, j] = rng.lognormal(np.log(POSITIVE_MEAN), 0.3, positive.sum())
    fsc = rng.normal(100000, 15000, cells)
    height = fsc * 0.8 * rng.normal(1.0, 0.04, cells)
    ssc = rng.normal(60000, 12000, cells)
    dye = rng.normal(50, 60, cells)
    blocks = [np.column_stack([fsc, height, ssc, dye, fluor])]

    def bright(count: int) -> npt.NDArray[np.float64]:
        return rng.lognormal(np.log(POSITIVE_MEAN), 0.3, (count, len(names)))

    n = int(cells * contaminants.debris)
    debris_fsc = rng.uniform(500, 15000, n)
    blocks.append(
        np.column_stack(
            [
                debris_fsc,
                debris_fsc * 0.8,
                rng.uniform(200, 8000, n),
                rng.normal(50, 60, n),
                bright(n),
            ]
        )
    )
    n = int(cells * contaminants.saturated)
    blocks.append(
        np.column_stack(
            [
                np.full(n, SATURATION),
                rng.normal(150000, 10000, n),
                rng.normal(60000, 12000, n),
                rng.normal(50, 60, n),
                bright(n),
            ]
        )
    )
    n = int(cells * contaminants.doublets)
    single = rng.normal(100000, 15000, n)
    blocks.append(
        np.column_stack(
            [
                single * 2,
                single * 0.8,
                rng.normal(110000, 15000, n),
                rng.normal(50, 60, n),
                bright(n),
            ]
        )
    )
    n = int(cells * contaminants.dead)
    blocks.append(
        np.column_stack(
            [
                rng.normal(90000, 15000, n),
                rng.normal(72000, 12000, n),
                rng.normal(60000, 12000, n),
                rng.lognormal(np.log(20000), 0.3, n),
                bright(n),
            ]
        )
    )

    true_values = np.vstack(blocks)
    true_values = true_values[rng.permutation(true_values.shape[0])]
    matrix = np.eye(len(names)) + spill * (np.eye(len(names), k=1) + np.eye(len(names), k=-1)) / 2
    observed = true_values.copy()
    observed[:, len(SCATTER) :] = true_values[:, len(SCATTER) :] @ matrix
    observed[:, :3] = np.minimum(observed[:, :3], SATURATION)  # detectors clip
    columns = list(SCATTER) + [Column(name, markers[name][0]) for name in names]
    keep = [
        i
        for i, column in enumerate(columns)
        if (with_height or column.name != "FSC-H") and (with_viability or column.name != "7-AAD-A")
    ]
    spillover = ",".join([str(len(names)), *names, *(f"{v:.6f}" for v in matrix.ravel())])
    return build_fcs(
        DataSet(
            columns=tuple(columns[i] for i in keep),
            values=observed[:, keep],
            keywords={"$SPILLOVER": spillover} if spill else {},
        )
    )
