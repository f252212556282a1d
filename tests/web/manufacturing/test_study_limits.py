"""Each batch is judged by its own study's in-process limits (``protocols/<study>/manufacturing.yaml``
of the donor's study), not by the site's default protocol."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from stromalab.core.protocol import protocols_root
from stromalab.web.donors.models import Donor, Study
from stromalab.web.manufacturing import actions as a
from stromalab.web.manufacturing.queries import step_verdicts
from tests.web.manufacturing.test_state_machine import later, receipt

MAIN, SECOND = "NCT05947682", "NCT99999901"


@pytest.fixture()
def two_protocols(tmp_path: Path, settings: Any) -> Path:
    """A protocols folder with the study's own protocol and a second one whose receipt delay is
    at most 2 h (instead of 24 h); the site's default protocol is set to the second one, to show
    that it is not what judges a batch."""
    source = protocols_root()
    shutil.copytree(source / MAIN, tmp_path / MAIN)
    shutil.copytree(source / MAIN, tmp_path / SECOND)
    limits = tmp_path / SECOND / "manufacturing.yaml"
    text = limits.read_text(encoding="utf-8")
    assert "limit: {max: 24}" in text
    limits.write_text(text.replace(f"protocol: {MAIN}", f"protocol: {SECOND}")
                      .replace("limit: {max: 24}", "limit: {max: 2}"), encoding="utf-8")
    settings.STROMALAB_PROTOCOLS = tmp_path
    settings.STROMALAB_PROTOCOL = SECOND
    return tmp_path


def test_each_batch_is_judged_by_its_own_studys_limits(two_protocols: Path, enrolled_donor: Any, run_batch: Any,
                                                       operator: Any) -> None:
    second = Study.objects.create(id=SECOND, title="A second study", enrollment_target=10)
    main_batch = run_batch(enrolled_donor(), until="harvest")
    moved = enrolled_donor()
    Donor.objects.filter(pk=moved.pk).update(study=second)  # a donor of the second study
    second_batch = run_batch(Donor.objects.get(pk=moved.pk), until="harvest")
    assert a.in_process_limits(MAIN).requirement("receipt-delay").limit_text == "≤ 24 h"
    assert a.in_process_limits(SECOND).requirement("receipt-delay").limit_text == "≤ 2 h"

    # three hours after the harvest: within the main study's 24 h, beyond the second's 2 h
    step = receipt(main_batch, operator, received_at=later(3))
    assert step.state == "done" and not main_batch.deviations.exists()
    assert {v.status.value for v in step_verdicts(step)} == {"pass"}
    with pytest.raises(a.LimitBreach, match="outside the in-process limit ≤ 2 h"):
        receipt(second_batch, operator, received_at=later(3))
    step = receipt(second_batch, operator, received_at=later(3), deviation_reason="courier delayed")
    (deviation,) = second_batch.deviations.all()
    assert (deviation.check_id, deviation.limit) == ("receipt-delay", "≤ 2 h")
    assert [v.limit for v in step_verdicts(step) if v.test_id == "receipt-delay"] == ["≤ 2 h"]
