"""Fixtures for the quality app: a batch in quarantine with containers (donor eligible and
signed), users per role, FCS panels (generated and real), the media directory in tmp_path."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ..conftest import PASSWORD

#: real instrument files kept in the repository (tests/data/fcs/README.md: origin and licences)
FIXTURES = Path(__file__).resolve().parents[2] / "data" / "fcs"

#: a passing result for every test of release.yaml (cell count judged against a dose)
PASSING = {
    "viability": "92.5", "cell-count": "120000000", "cd73": "99.1", "cd90": "98.7", "cd105": "97.2",
    "cd45": "0.4", "cd34": "0.8", "cd14-cd11b": "1.1", "cd19-cd79a": "0.3", "hla-dr": "0.9",
    "sterility": "no growth", "mycoplasma": "not detected", "endotoxin": "0.5", "karyotype": "normal",
}
DOSE = "100000000"
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.STROMALAB_MEDIA_DIR = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture()
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.fail(f"FCS fixtures not found at {FIXTURES}")
    return FIXTURES


@pytest.fixture()
def analyst(make_user: Callable[..., Any]) -> Any:
    return make_user("qc_analyst", first_name="Ana", last_name="Lyst")


@pytest.fixture()
def qp(make_user: Callable[..., Any]) -> Any:
    return make_user("qualified_person", first_name="Quentin", last_name="Pharmacien")


@pytest.fixture()
def make_batch(eligible_donor: Callable[..., Any], make_user: Callable[..., Any]) -> Callable[..., Any]:
    """Factory: a batch filled into ``containers`` containers, in quarantine, from a donor with
    a signed eligible decision (rows created directly: the manufacturing steps are the
    manufacturing app's tests' business)."""
    from django.db import transaction
    from django.utils import timezone

    from stromalab.web.audit.actions import record_event
    from stromalab.web.manufacturing.models import Batch, Container, Donation
    from stromalab.web.safety.actions import record_samples
    from stromalab.web.screening.models import SEROLOGY_TESTS

    operator = make_user("operator")
    investigator = eligible_donor.investigator  # type: ignore[attr-defined]

    def make(containers: int = 2, status: str = "quarantine") -> Any:
        donor = eligible_donor(sign=True)
        n = next(_seq)
        din = f"G1234{dt.date.today():%y}{n:06d}"
        with transaction.atomic():
            donation = Donation.objects.create(donor=donor, din=din, fin="G1234", year=int(din[5:7]),
                                               sequence=n, collected_at=timezone.now(), created_by=operator)
            batch = Batch.objects.create(donation=donation, code=din, din=din, status=status,
                                         product_code="S1234", product_description="MSC(AT) for infusion",
                                         created_by=operator)
            for i in range(containers):
                c = Container.objects.create(batch=batch, din=din, division=f"A{i}", product_code="S1234",
                                             product_description="MSC(AT)")
                record_event(acting_user=operator, action="create", record=c, new={"status": c.status})
        # the donor's infection tests sampled on the donation day, with NAT: no repeat is due
        record_samples(donation=donation, visit="donation", acting_user=investigator,
                       samples={t: {"sampled_on": timezone.localdate(), "nat": t in ("HIV", "HBsAg", "anti-HCV")}
                                for t in SEROLOGY_TESTS})
        return batch

    make.operator = operator  # type: ignore[attr-defined]
    return make


@pytest.fixture()
def batch(make_batch: Callable[..., Any]) -> Any:
    return make_batch()


def enter_all(batch: Any, analyst: Any, overrides: dict[str, str] | None = None,
              skip: tuple[str, ...] = ()) -> list[Any]:
    from stromalab.web.quality import actions
    from tests.web.materials.helpers import instrument

    instrument("bench", analyst)  # a result names an instrument of the register
    out = []
    for test_id, value in {**PASSING, **(overrides or {})}.items():
        if test_id in skip:
            continue
        out.append(actions.record_result(
            batch=batch, test_id=test_id, value=value, performed_on=dt.date.today(),
            instrument="bench", requested_dose=DOSE if test_id == "cell-count" else None,
            acting_user=analyst))
    return out


# --- generated FCS panels -------------------------------------------------------------------

def _tube(seed: int, markers: dict[str, tuple[str, float]], spill: float = 0.1) -> bytes:
    from tests.core.cytometry.fcs_panels import tube

    return tube(np.random.default_rng(seed), markers, cells=8000, spill=spill)


def make_panel(seed: int = 1, positives: float = 0.99, negatives: float = 0.0) -> dict[str, bytes]:
    """control.fcs + positives.fcs (CD73, CD90, CD105) + negatives.fcs (CD45, CD34, CD14,
    CD19, HLA-DR): every ISCT slot measured."""
    channels = ("APC-A", "FITC-A", "PE-A", "PerCP-A", "BV421-A")
    return {
        "control.fcs": _tube(seed, {ch: ("", 0.0) for ch in channels}, spill=0.08),
        "positives.fcs": _tube(seed + 1, {"APC-A": ("CD73 APC", positives), "FITC-A": ("CD90 FITC", positives),
                                          "PE-A": ("CD105 PE", positives)}),
        "negatives.fcs": _tube(seed + 2, {"APC-A": ("CD45 APC", negatives), "FITC-A": ("CD34 FITC", negatives),
                                          "PE-A": ("CD14 PE", negatives), "PerCP-A": ("HLA-DR PerCP", negatives),
                                          "BV421-A": ("CD19 BV421", negatives)}),
    }


@pytest.fixture(scope="session")
def good_panel() -> dict[str, bytes]:
    return make_panel(1)


@pytest.fixture(scope="session")
def bad_panel() -> dict[str, bytes]:
    """HLA-DR and the other negatives at ~6 %: fails the ISCT limits (<= 2 %)."""
    return make_panel(11, negatives=0.05)


def uploads(panel: dict[str, bytes]) -> tuple[Any, list[Any]]:
    from stromalab.web.quality.actions import Upload

    items = [Upload(name, data) for name, data in panel.items()]
    return items[0], items[1:]


__all__ = ["DOSE", "FIXTURES", "PASSING", "PASSWORD", "enter_all", "make_panel", "uploads"]
