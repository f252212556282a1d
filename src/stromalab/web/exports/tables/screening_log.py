"""The dashboard's screening log (CONSORT): each step, its donors, and who of the step before
did not go further and why, as the dashboard counts them (:mod:`stromalab.web.dashboard.stats`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from stromalab.web.accounts import roles
from stromalab.web.dashboard.consort import Stage
from stromalab.web.dashboard.stats import study_summary

from ..record import configured_study
from .base import Column, Selection, Table


def _excluded(stage: Stage) -> str:
    return "; ".join(f"{e.count} {e.reason}" for e in stage.excluded)


def select(params: Mapping[str, str], reader: Any) -> Selection:
    """The study's log (no filter: the dashboard shows the whole study)."""
    return Selection(study_summary(configured_study())["screening_log"], {})


TABLE = Table(
    key="screening-log",
    title=_("Screening log"),
    roles=roles.CLINICAL_READERS,
    columns=(
        Column(_("Step"), lambda s: str(s.label)),
        Column(_("Donors"), lambda s: s.count),
        Column(_("Not going further, and why"), _excluded),
    ),
    select=select,
)
