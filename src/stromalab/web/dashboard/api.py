from typing import Any

from ninja import Router

from stromalab.web.accounts import roles
from stromalab.web.accounts.permissions import api_op
from stromalab.web.donors.queries import current_study

from .stats import study_summary

router = Router(tags=["dashboard"])


@api_op(router, "GET", "/summary", roles.CLINICAL_READERS, response=dict)
def summary(request: Any) -> Any:
    """The study dashboard's figures as JSON (the screening log's steps as plain counts)."""
    summary = study_summary(current_study())
    if "screening_log" in summary:
        summary["screening_log"] = [stage.as_dict() for stage in summary["screening_log"]]
    return summary
