"""A stored QC result and OOS record as people read them, in the reader's language.

The result keeps what was judged and signed in English (its test name, limit, method, unit and
the core's reason); these filters give the page the study's words for them in the active
language (release.yaml's ``{en, fr}``), numbers written that language's way, and the reason
rendered from the core's wording (:mod:`stromalab.web.manufacturing.wording`). A test the current
specification no longer has keeps its stored words.
"""

from __future__ import annotations

from django import template

from stromalab.core.manufacturing.specification import Requirement
from stromalab.web.manufacturing.checks import shown_name
from stromalab.web.manufacturing.wording import limit_words, quantity_text, reason_text

from .. import models as m
from ..queries import method_text, result_text
from ..spec import specification_for

register = template.Library()


def _requirement(record: m.QcResult | m.OosRecord) -> Requirement | None:
    try:
        return specification_for(record.batch.donation.donor.study_id).requirement(record.test_id)
    except KeyError:
        return None


@register.filter
def test_name(result: m.QcResult) -> str:
    requirement = _requirement(result)
    return shown_name(requirement) if requirement is not None else result.test_name


@register.filter
def result_value(result: m.QcResult) -> str:
    requirement = _requirement(result)
    return result_text(requirement, result) if requirement is not None else result.shown_value


@register.filter
def result_limit(record: m.QcResult | m.OosRecord) -> str:
    return limit_words(record.limit_text, _requirement(record))


@register.filter
def result_reason(result: m.QcResult) -> str:
    return reason_text(result.verdict_reason, _requirement(result))


@register.filter
def result_method(result: m.QcResult) -> str:
    requirement = _requirement(result)
    return method_text(requirement, result.method) if requirement is not None else result.method


@register.filter
def dose(value: object) -> str:
    return quantity_text(str(value), None) if value else ""


@register.filter
def oos_value(oos: m.OosRecord) -> str:
    return quantity_text(oos.value, _requirement(oos))


@register.filter
def oos_finding(oos: m.OosRecord) -> str:
    return reason_text(oos.description, _requirement(oos))
