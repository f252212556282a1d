"""Each table's two downloads, ``/exports/tables/<table>.csv`` and ``.xlsx``: one URL per table
and format, each declaring its page's roles (the permission matrix checks them like any page's).

The file is written into a temporary file on disk, hashed and recorded, then streamed to the
browser from that file (:mod:`.produce` says why it is not streamed as it is written)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import Any

from django.http import FileResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from stromalab.web.accounts.permissions import require_role

from . import TABLES
from .base import Table
from .files import WRITERS
from .produce import record, write


def download_view(table: Table, fmt: str) -> Callable[[Any], FileResponse]:
    """The view sending ``table`` in ``fmt`` under the request's filters, for its page's roles."""

    @require_role(table.roles)
    @require_GET
    def download(request: Any) -> FileResponse:
        spool = tempfile.TemporaryFile()  # noqa: SIM115  (closed by the response once sent)
        try:
            file = write(table, fmt, acting_user=request.user, params=request.GET, out=spool)
            record(file, acting_user=request.user, channel="page")
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        response = FileResponse(spool, as_attachment=True, filename=file.filename, content_type=file.media_type)
        response["X-Content-SHA256"] = file.sha256
        return response

    download.__doc__ = f"The {table.key} table as {fmt}, under the page's filters; the export is audited."
    return download


urlpatterns: list[URLPattern] = [
    path(f"tables/{table.key}.{fmt}", download_view(table, fmt), name=f"{table.key}-{fmt}")
    for table in TABLES.values() for fmt in WRITERS
]
