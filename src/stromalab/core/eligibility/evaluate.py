"""Screening: every criterion of a protocol decided for one record, with a reason each."""

from __future__ import annotations

import json
from dataclasses import dataclass
from json.encoder import encode_basestring as _quote
from typing import TYPE_CHECKING, Any, NamedTuple

from stromalab.core.eligibility.record import ScreeningRecord, parse_record

if TYPE_CHECKING:  # the protocol module builds rules from this package: import for types only
    from stromalab.core.protocol import Protocol

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
ELIGIBLE, INELIGIBLE, INCOMPLETE = "eligible", "ineligible", "incomplete"


class CriterionResult(NamedTuple):
    """One criterion's outcome (an immutable tuple: 28 are built per record, so cheaply)."""

    id: str
    kind: str
    text: str
    status: str
    reason: str
    discrepancy: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "status": self.status,
            "reason": self.reason,
            "discrepancy": self.discrepancy,
        }


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    donor: str
    protocol: str
    as_of: str
    verdict: str
    criteria: tuple[CriterionResult, ...]
    ignored: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON object that ``stromalab screen --format json`` prints."""
        return {
            "donor": self.donor,
            "protocol": self.protocol,
            "as_of": self.as_of,
            "verdict": self.verdict,
            "criteria": [c.to_dict() for c in self.criteria],
            "ignored": list(self.ignored),
        }


# ``json.encoder.encode_basestring`` is the C quoting function when the accelerator is built
# (the pure-Python one otherwise): what ``json.dumps(..., ensure_ascii=False)`` uses.
_STATUS_JSON = {s: f', "status": "{s}", "reason": ' for s in (PASS, FAIL, UNKNOWN)}


def to_json_line(result: ScreeningResult) -> str:
    """``json.dumps(result.to_dict(), ensure_ascii=False, separators=(", ", ": "))``, faster.

    The CLI prints tens of thousands of results whose criterion id, kind and text never
    change, so those parts are quoted once; a test checks equality with ``json.dumps``.
    """
    parts = [
        '{"donor": ', _quote(result.donor),
        ', "protocol": ', _quote(result.protocol),
        ', "as_of": "', result.as_of,
        '", "verdict": "', result.verdict, '", "criteria": [',
    ]  # fmt: skip
    first = True
    for criterion in result.criteria:
        if not first:
            parts.append(", ")
        first = False
        parts.append(_criterion_prefix(criterion.id, criterion.kind, criterion.text))
        parts.append(_STATUS_JSON[criterion.status])
        parts.append(_quote(criterion.reason))
        parts.append(', "discrepancy": true}' if criterion.discrepancy else ', "discrepancy": false}')
    parts.append('], "ignored": ')
    parts.append(json.dumps(list(result.ignored), ensure_ascii=False))
    parts.append("}")
    return "".join(parts)


_PREFIXES: dict[tuple[str, str, str], str] = {}


def _criterion_prefix(cid: str, kind: str, text: str) -> str:
    key = (cid, kind, text)
    prefix = _PREFIXES.get(key)
    if prefix is None:
        prefix = f'{{"id": {_quote(cid)}, "kind": {_quote(kind)}, "text": {_quote(text)}'
        _PREFIXES[key] = prefix
    return prefix


def evaluate(protocol: Protocol, record: ScreeningRecord) -> ScreeningResult:
    """Decide every criterion; the verdict is ineligible if any fails, eligible if all pass."""
    results: list[CriterionResult] = []
    any_fail = any_unknown = False
    append = results.append
    new = tuple.__new__  # CriterionResult(...) through its Python-level __new__ costs 3x more
    for cid, kind, text, rule, is_inclusion in protocol.plan:
        value, reason, discrepancy = rule.evaluate(record)
        if value is None:
            status = UNKNOWN
            any_unknown = True
        elif value is is_inclusion:
            status = PASS
        else:
            status = FAIL
            any_fail = True
        append(new(CriterionResult, (cid, kind, text, status, reason, discrepancy)))
    verdict = INELIGIBLE if any_fail else INCOMPLETE if any_unknown else ELIGIBLE
    return ScreeningResult(
        record.donor, protocol.id, record.as_of.isoformat(), verdict, tuple(results), record.ignored
    )


def screen(protocol: Protocol, data: Any) -> ScreeningResult:
    """Validate one decoded JSON record and screen it; raises RecordError on invalid input."""
    return evaluate(protocol, parse_record(data, protocol.answer_ids))
