"""The exports page: the two documents as downloads, each download an audited export."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from stromalab.web.accounts.permissions import require_role

from .access import EXPORTERS
from .record import ExportFile, export


def attachment(file: ExportFile) -> HttpResponse:
    """The file as a download, its SHA-256 in a header (the value the audit event holds)."""
    response = HttpResponse(file.content, content_type=f"{file.media_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["X-Content-SHA256"] = file.sha256
    return response


@require_role(EXPORTERS)
def index(request: Any) -> HttpResponse:
    """What can be exported, and that each export is recorded."""
    return render(request, "exports/index.html")


@require_role(EXPORTERS)
def download(request: Any, fmt: str) -> HttpResponse:
    """Build, record and send one export (``fmt``: fhir or odm, fixed by the URL)."""
    return attachment(export(fmt, acting_user=request.user, channel="page"))
