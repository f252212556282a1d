"""The study's release specification and the link from the ISCT panel to its tests.

The limits are data (``protocols/<study>/release.yaml``); this module only finds the file for
a study and says which specification test each phenotype marker slot feeds.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language

from stromalab.core.manufacturing.specification import Requirement, Specification, load_current
from stromalab.web.manufacturing.checks import limit_text
from stromalab.web.manufacturing.config import study_file

#: ISCT panel slot (as ``stromalab.core.cytometry.panel`` labels it) -> release.yaml test id.
MARKER_TESTS = {
    "CD73": "cd73",
    "CD90": "cd90",
    "CD105": "cd105",
    "CD45": "cd45",
    "CD34": "cd34",
    "CD14": "cd14-cd11b",
    "CD11b": "cd14-cd11b",
    "CD79a": "cd19-cd79a",
    "CD19": "cd19-cd79a",
    "HLA-DR": "hla-dr",
}
#: tests whose limit is a minimum of percent positive (the worst value is the lowest)
POSITIVE_TESTS = frozenset({"cd73", "cd90", "cd105"})
IDENTITY_TESTS = ("cd73", "cd90", "cd105", "cd45", "cd34", "cd14-cd11b", "cd19-cd79a", "hla-dr")


def specification_for(study_id: str) -> Specification:
    """The current release specification of ``study_id`` (re-read when the file changes)."""
    return load_current(study_file(study_id, "release.yaml"))


def choice_options(requirement: Requirement) -> list[tuple[str, str]]:
    """``(value, label)`` of each choice of a qualitative test, labelled in the active language."""
    language = get_language() or "en"
    return [(c.value, c.label(language)) for c in requirement.choices]


def shown_value(requirement: Requirement, value: str) -> str:
    """A stored result as people read it: its choice's label in the active language (the stored
    value itself when it names no choice, e.g. a word typed before the test had choices)."""
    choice = requirement.choice(value)
    return choice.label(get_language() or "en") if choice is not None else value


def shown_limit(requirement: Requirement) -> str:
    """The limit as people read it: the conforming choices' labels, else the limit's text in the
    active language."""
    language = get_language() or "en"
    conforming = [c.label(language) for c in requirement.choices if c.conforms]
    return " / ".join(conforming) if conforming else limit_text(requirement)


def identity_values(criteria: list[dict[str, object]]) -> dict[str, Decimal]:
    """Per identity test id, the value that counts (worst over the slot's markers), from the
    ``isct.criteria`` rows of a phenotype; rows not measured are left out."""
    out: dict[str, Decimal] = {}
    for row in criteria:
        test_id = MARKER_TESTS.get(str(row.get("marker")))
        value = row.get("value")
        if test_id is None or value is None:
            continue
        try:
            number = Decimal(str(value)).quantize(Decimal("0.01"))
        except InvalidOperation:  # pragma: no cover - the core gives floats
            continue
        if test_id in out:
            worse = min if test_id in POSITIVE_TESTS else max
            number = worse(out[test_id], number)
        out[test_id] = number
    return out
