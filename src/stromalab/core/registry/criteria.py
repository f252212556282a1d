"""Split a registry's eligibility text into criteria: one per bullet, in order, verbatim.

Registries write the text by hand, so the splitter accepts the usual spellings of the headings
(``Inclusion Criteria:``, ``INCLUSION CRITERIA``, ``Key inclusion criteria``, ``Criteria for
exclusion``…) and of the bullets (``*``, ``-``, ``•``, ``1.``, ``1)``, ``a.``, ``(a)``, or none).
A bullet indented under another, or of another style right under one ending in ``:``, is a
sub-bullet: it stays with its parent, written on its own line after ``• `` as the protocol
folders write them (``protocols/NCT05947682/eligibility.yaml``, E4). An indented line without a
marker continues the bullet above it. Text before any heading counts as inclusion criteria.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(
    r"[\s*#_]*(?:(?:key|main|major|general|principal|other|additional)\s+)?"
    r"(?:(inclusion|exclusion)\s+criteri(?:a|on|as)|criteria\s+for\s+(inclusion|exclusion))"
    r"(?:\s+for\s+[^:]{1,60})?\s*(?:\([^)]*\))?[\s*_]*(?::[\s*_]*(.*))?",
    re.IGNORECASE,
)
_BULLET = re.compile(r"(\s*)([*\-•·–+]|[0-9]{1,3}[.)]|[a-zA-Z][.)]|\([0-9a-zA-Z]{1,3}\))\s+(\S.*)")


@dataclass(frozen=True)
class Criterion:
    id: str  # I1, I2 … for inclusion, E1, E2 … for exclusion, in the order of the text
    kind: str  # inclusion | exclusion
    text: str  # verbatim; sub-bullets on their own lines after "• "


@dataclass
class _Item:
    kind: str
    indent: int
    style: str
    lines: list[str]
    sub_indent: int | None = None  # the indent of its first sub-bullet: deeper ones are nested
    sub_style: str | None = None  # the marker family of its sub-bullets


def _sub_list(top: _Item, style: str) -> bool:
    """Whether a bullet at the parent's indent belongs under it: another marker family, right
    after a parent line ending in ':' or after a first sub-bullet of that family."""
    if style == top.style or top.style == "none":
        return False
    return style == top.sub_style or (top.sub_style is None and top.lines[-1].endswith(":"))


def _style(marker: str) -> str:
    """The family of a bullet marker: symbol, number or letter."""
    if marker[0] in "*-•·–+":
        return "symbol"
    if marker.strip("().")[0].isdigit():
        return "number"
    return "letter"


def split_criteria(text: str) -> tuple[Criterion, ...]:
    """The criteria of an eligibility text (empty when the text holds none)."""
    items: list[_Item] = []
    kind = "inclusion"
    top: _Item | None = None  # the current top-level bullet, which sub-bullets attach to
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        heading = _HEADING.fullmatch(line)
        if heading:
            kind = (heading.group(1) or heading.group(2)).lower()
            top = None
            rest = (heading.group(3) or "").strip()
            if rest:
                top = _Item(kind, 0, "none", [rest])
                items.append(top)
            continue
        bullet = _BULLET.fullmatch(line)
        indent = len(line) - len(line.lstrip())
        if bullet:
            style = _style(bullet.group(2))
            body = bullet.group(3).strip()
            if top is not None and (indent > top.indent or _sub_list(top, style)):
                top.sub_style = top.sub_style or style
                if top.sub_indent is None:
                    top.sub_indent = indent
                depth = "  " * max(0, (indent - top.sub_indent) // 2)
                top.lines.append(f"{depth}• {body}")
                continue
            top = _Item(kind, indent, style, [body])
            items.append(top)
            continue
        if top is not None and indent > top.indent:
            top.lines.append(line.strip())  # a continuation line of the bullet above
            continue
        top = _Item(kind, indent, "none", [line.strip()])
        items.append(top)
    counters = {"inclusion": 0, "exclusion": 0}
    result = []
    for item in items:
        counters[item.kind] += 1
        prefix = "I" if item.kind == "inclusion" else "E"
        result.append(Criterion(f"{prefix}{counters[item.kind]}", item.kind, "\n".join(item.lines)))
    return tuple(result)
