"""QC text (instrument, OOS conclusion) reaches the certificate of analysis literally."""

from __future__ import annotations

import datetime as dt
from typing import Any

from stromalab.web.quality import actions, queries
from stromalab.web.quality.certificate import render
from tests.printing.test_pdf_text import extracted, needs_pdftotext
from tests.web.materials.helpers import instrument

from .conftest import PASSWORD, enter_all


@needs_pdftotext
def test_certificate_prints_markup_literally(batch: Any, analyst: Any, qp: Any) -> None:
    enter_all(batch, analyst, skip=("viability",))
    instrument("<img src=x>", analyst)
    actions.record_result(batch=batch, test_id="viability", value="50", performed_on=dt.date.today(),
                          instrument="<img src=x>", acting_user=analyst)
    oos = batch.oos_records.get()
    actions.close_oos(oos=oos, conclusion="<font size=30 color=red>pipetting</font> & retest",
                      password=PASSWORD, acting_user=qp)
    shown = extracted(render(queries.certificate_data(batch), compress=False))
    assert "<imgsrc=x>" in shown  # a narrow cell: a longer text would wrap across columns
    assert "<fontsize=30color=red>pipetting</font>&retest" in shown
