"""Generated MSC(AT) flow cytometry panels for the demo study: an unstained control and two
stained tubes, written as FCS 3.1 files, so that the product computes the phenotype from files.

Each tube holds intact single live cells plus what a real acquisition also records and the
product's gates must remove (``stromalab.core.cytometry.gating``): debris (low FSC), doublets
(twice the area at the same height) and dead cells (bright in 7-AAD). The fluorescence is mixed
through the spillover matrix the file declares (``$SPILLOVER``), as a cytometer's detectors mix
it, so the product compensates before it gates. The channels are those of a common 5-colour
MSC panel: the marker of each channel is in its ``$PnS`` ("CD73 APC"), which is where
``stromalab.core.cytometry.markers`` reads it.

The files are written by FlowIO's ``create_fcs`` (FlowIO is already the reader's dependency):
FCS 3.1, float32 list mode, the layout the reader decodes through FlowIO itself. Everything
random comes from the generator the caller passes, so a seed gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from array import array
from collections.abc import Mapping
from dataclasses import dataclass

import flowio
import numpy as np
import numpy.typing as npt

#: scatter and viability channels ($PnN, $PnS), then the fluorescence channels of the panel
SCATTER = (("FSC-A", ""), ("FSC-H", ""), ("SSC-A", ""), ("7-AAD-A", "7-AAD"))
FLUORESCENCE = ("FITC-A", "PE-A", "APC-A", "PerCP-Cy5.5-A", "BV421-A")
#: the markers of each stained tube by channel: ISCT positives, then ISCT negatives
POSITIVES = {"FITC-A": "CD90 FITC", "PE-A": "CD105 PE", "APC-A": "CD73 APC"}
NEGATIVES = {"FITC-A": "CD34 FITC", "PE-A": "CD14 PE", "APC-A": "CD45 APC",
             "PerCP-Cy5.5-A": "HLA-DR PerCP-Cy5.5", "BV421-A": "CD19 BV421"}
#: the instrument named in $CYT: what the QC results record as their instrument
INSTRUMENT = "Simulated 5-colour cytometer (stromalab demo data)"
#: events per tube: small files (about 360 kB), yet enough that the share of negative cells above
#: the control's 99th percentile stays near 1 % (with 5,000 events it reached 1.9 % for some
#: seeds, too close to the ISCT limit of 2 % for a batch meant to pass)
EVENTS = 10000
#: fractions of the events that are not intact single live cells
DEBRIS, DOUBLETS, DEAD = 0.06, 0.04, 0.05
#: spillover of each fluorochrome into its neighbours in FLUORESCENCE order
SPILL = 0.06
_TOP = 262143.0  # $PnR - 1: scatter detectors clip there
_NEGATIVE_SD, _POSITIVE_MEAN = 60.0, 12000.0


@dataclass(frozen=True)
class FcsTube:
    """One generated file: the name it is uploaded under and its bytes."""

    name: str
    data: bytes


def msc_panel(rng: np.random.Generator, *, acquired_on: dt.date, positive_fraction: float = 0.99,
              hla_dr_fraction: float = 0.0) -> tuple[FcsTube, FcsTube, FcsTube]:
    """The control tube, the positive-marker tube and the negative-marker tube of one batch.

    ``positive_fraction`` of the cells carry CD73, CD90 and CD105; ``hla_dr_fraction`` carry
    HLA-DR (the other negative markers none): a culture activated by inflammation, say, shows
    HLA-DR above the ISCT limit of 2 % and its batch fails identity."""
    negatives = {channel: 0.0 for channel in NEGATIVES}
    negatives["PerCP-Cy5.5-A"] = hla_dr_fraction
    positives = dict.fromkeys(POSITIVES, positive_fraction)
    return (
        FcsTube("unstained-control.fcs", _tube(rng, {}, {}, acquired_on)),
        FcsTube("cd73-cd90-cd105.fcs", _tube(rng, POSITIVES, positives, acquired_on)),
        FcsTube("cd45-cd34-cd14-cd19-hladr.fcs", _tube(rng, NEGATIVES, negatives, acquired_on)),
    )


def _tube(rng: np.random.Generator, labels: Mapping[str, str], fractions: Mapping[str, float],
          acquired_on: dt.date) -> bytes:
    """One tube: ``labels`` gives the $PnS of the stained channels (none: the control) and
    ``fractions`` the share of cells positive in each."""
    cells = round(EVENTS * (1 - DEBRIS - DOUBLETS - DEAD))
    fluorescence = np.column_stack([_fluorescence(rng, cells, fractions.get(channel, 0.0))
                                    for channel in FLUORESCENCE])
    area = rng.normal(100000, 15000, cells)
    blocks = [np.column_stack([area, area * 0.8 * rng.normal(1.0, 0.04, cells),
                               rng.normal(60000, 12000, cells), rng.normal(50, 60, cells), fluorescence])]
    blocks.append(_debris(rng, round(EVENTS * DEBRIS)))
    blocks.append(_doublets(rng, round(EVENTS * DOUBLETS)))
    blocks.append(_dead(rng, EVENTS - cells - round(EVENTS * DEBRIS) - round(EVENTS * DOUBLETS)))
    true_values = np.vstack(blocks)[rng.permutation(EVENTS)]
    size = len(FLUORESCENCE)
    matrix = np.eye(size) + SPILL * (np.eye(size, k=1) + np.eye(size, k=-1))
    observed = true_values.copy()
    observed[:, len(SCATTER):] = true_values[:, len(SCATTER):] @ matrix
    observed[:, :3] = np.clip(observed[:, :3], 0.0, _TOP)
    spillover = ",".join([str(size), *FLUORESCENCE, *(f"{v:.4f}" for v in matrix.ravel())])
    names = [name for name, _ in SCATTER] + list(FLUORESCENCE)
    stains = [label for _, label in SCATTER] + [labels.get(channel, "") for channel in FLUORESCENCE]
    out = io.BytesIO()
    flowio.create_fcs(out, array("f", observed.astype("<f4").tobytes()), names, stains, metadata_dict={
        "$DATE": acquired_on.strftime("%d-%b-%Y").upper(), "$CYT": INSTRUMENT, "$SPILLOVER": spillover,
        "$SRC": "MSC(AT) identity panel", "$COM": "generated by stromalab demo: not instrument data"})
    return out.getvalue()


def _fluorescence(rng: np.random.Generator, cells: int, fraction: float) -> npt.NDArray[np.float64]:
    """A marker channel: unstained cells around zero, stained cells log-normal and bright."""
    values = rng.normal(0.0, _NEGATIVE_SD, cells)
    positive = rng.choice(cells, round(cells * fraction), replace=False)
    values[positive] = rng.lognormal(np.log(_POSITIVE_MEAN), 0.3, positive.size)
    return values


def _bright(rng: np.random.Generator, count: int) -> npt.NDArray[np.float64]:
    """Fluorescence of events the gates remove: bright everywhere, so that a failed gate would
    show as a wrong percentage."""
    return rng.lognormal(np.log(_POSITIVE_MEAN), 0.3, (count, len(FLUORESCENCE)))


def _debris(rng: np.random.Generator, count: int) -> npt.NDArray[np.float64]:
    area = rng.uniform(500, 15000, count)
    return np.column_stack([area, area * 0.8, rng.uniform(200, 8000, count), rng.normal(50, 60, count),
                            _bright(rng, count)])


def _doublets(rng: np.random.Generator, count: int) -> npt.NDArray[np.float64]:
    single = rng.normal(100000, 15000, count)
    return np.column_stack([single * 2, single * 0.8, rng.normal(110000, 15000, count),
                            rng.normal(50, 60, count), _bright(rng, count)])


def _dead(rng: np.random.Generator, count: int) -> npt.NDArray[np.float64]:
    return np.column_stack([rng.normal(90000, 15000, count), rng.normal(72000, 12000, count),
                            rng.normal(60000, 12000, count), rng.lognormal(np.log(20000), 0.3, count),
                            _bright(rng, count)])
