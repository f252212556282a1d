"""The exports through the API: the same documents, the same check, the same audit event."""

from typing import Any

from ninja import Router

from stromalab.web.accounts.permissions import api_op

from .access import EXPORTERS
from .record import export
from .views import attachment

router = Router(tags=["exports"])


@api_op(router, "GET", "/fhir", EXPORTERS)
def fhir_bundle(request: Any) -> Any:
    """The study as a FHIR R4 Bundle (collection); the export is recorded in the audit trail."""
    return attachment(export("fhir", acting_user=request.auth, channel="api"))


@api_op(router, "GET", "/odm", EXPORTERS)
def odm_document(request: Any) -> Any:
    """The study as a CDISC ODM 1.3.2 document; the export is recorded in the audit trail."""
    return attachment(export("odm", acting_user=request.auth, channel="api"))
