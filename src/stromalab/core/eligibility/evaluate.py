"""Screening: every criterion of a protocol decided for one record, with a reason each."""

from __future__ import annotations

from dataclasses import dataclass
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


def evaluate(protocol: Protocol, record: ScreeningRecord) -> ScreeningResult:
    """Decide every criterion; the verdict is ineligible if any fails, eligible if all pass."""
    results: list[CriterionResult] = []
    any_fail = any_unknown = False
    append = results.append
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
        append(CriterionResult(cid, kind, text, status, reason, discrepancy))
    verdict = INELIGIBLE if any_fail else INCOMPLETE if any_unknown else ELIGIBLE
    return ScreeningResult(
        record.donor, protocol.id, record.as_of.isoformat(), verdict, tuple(results), record.ignored
    )


def screen(protocol: Protocol, data: Any) -> ScreeningResult:
    """Validate one decoded JSON record and screen it; raises RecordError on invalid input."""
    return evaluate(protocol, parse_record(data, protocol.answer_ids))
