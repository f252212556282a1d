from typing import Any

from django.conf import settings
from ninja import Router

from stromalab.web.accounts import roles
from stromalab.web.accounts.permissions import api_op
from stromalab.web.donors.models import Study

from .stats import study_summary

router = Router(tags=["dashboard"])


@api_op(router, "GET", "/summary", roles.CLINICAL_READERS, response=dict)
def summary(request: Any) -> Any:
    study = Study.objects.filter(pk=settings.STROMALAB_PROTOCOL).first() or Study.objects.first()
    return study_summary(study)
