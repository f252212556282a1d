"""The ``eligibility.yaml`` of a protocol folder drafted from a registry record.

One criterion per bullet of the record's eligibility text, verbatim, with its drafted rule or
``review``. The registry's structured eligibility fields count too: when no bullet was drafted
as an age limit, ``minimumAge``/``maximumAge`` (in years) become one more inclusion criterion,
and likewise ``sex`` when it is FEMALE or MALE. A record without eligibility text gets one
criterion awaiting review, so that nobody is ever screened eligible on an empty list.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any

from stromalab.core.registry.criteria import Criterion, split_criteria
from stromalab.core.registry.drafting import Draft, age_rule, draft_rule, review, sex_rule
from stromalab.core.registry.history_terms import Term
from stromalab.core.registry.record import Registration

VERSION = "0.1"
NO_CRITERIA = "The registry record states no eligibility criteria"


def drafted_criteria(registration: Registration) -> list[tuple[Criterion, Draft]]:
    """Every criterion of the record with its draft, in the order of the text."""
    criteria = list(split_criteria(registration.eligibility_criteria or ""))
    pairs = [(c, draft_rule(c)) for c in criteria]
    if not criteria:
        pairs.append((Criterion("I1", "inclusion", NO_CRITERIA),
                      review("write the study's criteria from its protocol")))
    structured: list[tuple[Criterion, Draft]] = []
    inclusions = sum(1 for c, _ in pairs if c.kind == "inclusion")
    quantities = [_quantity(d.rule) for _, d in pairs]
    low, high = registration.minimum_age, registration.maximum_age
    low_years, high_years = (low.years if low else None), (high.years if high else None)
    if "age_years" not in quantities and (low_years is not None or high_years is not None):
        inclusions += 1
        text = "; ".join(part for part in (f"Minimum age: {low.text}" if low else "",
                                           f"Maximum age: {high.text}" if high else "") if part)
        structured.append((Criterion(f"I{inclusions}", "inclusion", text), age_rule(low_years, high_years)))
    if registration.sex in ("FEMALE", "MALE") and "sex" not in quantities:
        inclusions += 1
        sex = registration.sex.lower()
        structured.append((Criterion(f"I{inclusions}", "inclusion", f"Sex: {sex.title()}"), sex_rule(sex)))
    # after the last inclusion criterion, before the exclusions
    at = max((i + 1 for i, (c, _) in enumerate(pairs) if c.kind == "inclusion"), default=0)
    pairs[at:at] = structured
    return pairs


def _quantity(rule: dict[str, Any]) -> str | None:
    if "value" in rule:
        return str(rule["value"]["of"])
    if "choice" in rule:
        return str(rule["choice"]["field"])
    return None


def eligibility_yaml(registration: Registration, drafted_on: date) -> str:
    """The text of ``eligibility.yaml`` (format ``stromalab-eligibility/1``)."""
    pairs = drafted_criteria(registration)
    waiting = sum(1 for _, d in pairs if not d.drafted)
    codelists: dict[str, Term] = {}
    for _, draft in pairs:
        codelists.update(draft.codelists)
    note = (f"Drafted from the ClinicalTrials.gov record: {len(pairs) - waiting} of {len(pairs)} "
            f"criteria have a drafted rule, {waiting} await review.")
    lines = [
        f"# Eligibility criteria of {registration.nct_id}, drafted by `stromalab protocol import-ctgov`",
        "# from the ClinicalTrials.gov record beside this file (study.json). Each criterion keeps the",
        "# record's wording verbatim. A drafted rule is a proposal: check it against the protocol.",
        "# `review` marks a criterion that is unknown for every donor until someone writes its rule",
        "# (docs/criteria-language.md); then change `version` and add a line under `changes`.",
        "format: stromalab-eligibility/1",
        f"protocol: {registration.nct_id}",
        f'version: "{VERSION}"',
        "changes:",
        f'  - version: "{VERSION}"',
        f'    date: "{drafted_on.isoformat()}"',
        f"    note: {_quote(note)}",
        "",
        "codelists:" + ("" if codelists else " {}"),
    ]
    for name, term in sorted(codelists.items()):
        codes = ", ".join(_quote(code) for code in term.codes)
        lines.append(f"  {name}: {{system: ICD10, title: {_quote(term.title)}, codes: [{codes}]}}")
    lines += ["", "criteria:"]
    for criterion, draft in pairs:
        lines += [
            f"  - id: {criterion.id}",
            f"    kind: {criterion.kind}",
            f"    text: {_quote(criterion.text)}",
            f"    rule: {_flow(draft.rule)}",
            "",
        ]
    return "\n".join(lines)


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON's quoting, which YAML reads), with every character
    YAML could take as a line break or that is not printable escaped."""
    quoted = json.dumps(text, ensure_ascii=False)
    return "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch) in ("Zl", "Zp", "Cc", "Cf", "Co", "Cs", "Cn") else ch
        for ch in quoted
    )


def _flow(node: Any) -> str:
    """A rule mapping in YAML flow style (numbers as written, exact)."""
    if isinstance(node, dict):
        return "{" + ", ".join(f"{_quote(k) if k in ('true', 'false') else k}: {_flow(v)}"
                               for k, v in node.items()) + "}"
    if isinstance(node, list):
        return "[" + ", ".join(_flow(v) for v in node) + "]"
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, Decimal | int):
        return str(node)
    return _quote(str(node))
