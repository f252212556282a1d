"""Operator text reaches the batch record and the labels as text, never as ReportLab markup: a
harvest whose surgeon is ``<img src=x>`` used to make the batch record fail for every role."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stromalab.printing.text import REPLACEMENT
from stromalab.web.manufacturing import actions as a
from stromalab.web.manufacturing import reports
from tests.printing.test_pdf_text import extracted, needs_pdftotext, words

MARKUP = ["<img src=x>", "<img src='/etc/hostname'/>", "<font size=30 color=red>big</font>",
          "&amp; &lt;b&gt; </para> ]]>"]


@needs_pdftotext
@pytest.mark.parametrize("text", MARKUP)
def test_operator_text_is_printed_literally_in_the_batch_record(
        text: str, enrolled_donor: Any, run_batch: Any, operator: Any) -> None:
    batch = run_batch(enrolled_donor(), until="harvest")
    step = batch.steps.get(kind="harvest")
    step.data = {**step.data, "surgeon": text, "container": text}
    step.save(update_fields=["data"])  # as an operator could have typed them
    a.record_deviation(batch=batch, description=text, reason=text, acting_user=operator)
    receipt = batch.steps.filter(kind="receipt").first()
    a.reject_step(step=receipt, reason=text, acting_user=operator)
    shown = extracted(reports.batch_record_pdf(batch, compress=False))
    expected = "".join(words(text))
    assert shown.count(expected) >= 4  # surgeon, container, deviation description and reason, rejection


@needs_pdftotext
def test_labels_print_free_text_literally(enrolled_donor: Any, run_batch: Any) -> None:
    batch = run_batch(enrolled_donor(), until="freezing", passages=1, vials=1)
    batch.containers.update(product_description="MSC(AT) <b>x</b> & co")
    assert "MSC(AT)<b>x</b>&co" in extracted(reports.labels_pdf(batch, compress=False))


@needs_pdftotext
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00")  # NUL: never stored
                    | st.sampled_from(list("<>&;'\"/=#\x07\x1b\n")), min_size=1, max_size=30))
def test_any_operator_text_renders_in_the_batch_record(text: str, enrolled_donor: Any, run_batch: Any) -> None:
    batch = run_batch(enrolled_donor(), until="harvest") if not hasattr(run_batch, "batch") else run_batch.batch
    run_batch.batch = batch  # one batch for every example: only the typed text changes
    step = batch.steps.get(kind="harvest")
    step.data = {**step.data, "surgeon": text}
    step.save(update_fields=["data"])
    shown = extracted(reports.batch_record_pdf(batch, compress=False))
    for word in words(text):
        if set(word) - {REPLACEMENT}:
            assert word in shown
