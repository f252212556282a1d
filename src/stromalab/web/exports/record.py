"""Every export is an audited event: who, what, under which filters, how many records, and the
SHA-256 of the exact bytes handed over, so a file found later can be matched to its export.

:func:`prepare` checks the exporter (:mod:`.access`) and builds the document; :func:`record`
appends the event (:attr:`EventKind.DATA_EXPORT`, filed on the study) in its own transaction.
The pages and API call :func:`export` (both); the command line records only once the file is
written beside its destination, then moves it into place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from stromalab.web.audit.actions import record_event
from stromalab.web.audit.kinds import EventKind
from stromalab.web.donors.models import Study

from .access import check_exporter
from .fhir import build_bundle
from .odm import build_odm


@dataclass(frozen=True)
class Format:
    build: Callable[[Study], tuple[bytes, int]]
    media_type: str
    extension: str


FORMATS: dict[str, Format] = {
    "fhir": Format(build_bundle, "application/fhir+json", "json"),
    "odm": Format(build_odm, "application/xml", "xml"),
}


@dataclass(frozen=True)
class ExportFile:
    format: str
    study: Study
    filename: str
    media_type: str
    content: bytes
    records: int
    sha256: str

    @property
    def filters(self) -> dict[str, str]:
        """What was selected: the whole study, its donors except those registered in error."""
        return {"study": self.study.id, "donors": "all but voided"}


def configured_study() -> Study:
    """The study this instance runs (``STROMALAB_PROTOCOL``), loaded by bootstrap."""
    study = Study.objects.filter(pk=settings.STROMALAB_PROTOCOL).first()
    if study is None:
        raise PermissionDenied(f"study {settings.STROMALAB_PROTOCOL} is not loaded (run bootstrap)")
    return study


def prepare(fmt: str, *, acting_user: Any, study: Study | None = None) -> ExportFile:
    """Check that ``acting_user`` may export, then build the ``fmt`` document (not yet recorded)."""
    check_exporter(acting_user)
    study = study or configured_study()
    spec = FORMATS[fmt]
    content, records = spec.build(study)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return ExportFile(fmt, study, f"{study.id}-{fmt}-{stamp}.{spec.extension}", spec.media_type, content,
                      records, hashlib.sha256(content).hexdigest())


@transaction.atomic(durable=True)
def record(file: ExportFile, *, acting_user: Any, channel: str) -> int:
    """Append the export's event (``channel``: cli, page or api); its id."""
    check_exporter(acting_user)
    event = record_event(acting_user=acting_user, action=EventKind.DATA_EXPORT, record=file.study,
                         field=file.format, new={
                             "format": file.format, "file": file.filename, "filters": file.filters,
                             "records": file.records, "sha256": file.sha256, "channel": channel})
    return event.id


def export(fmt: str, *, acting_user: Any, channel: str, study: Study | None = None) -> ExportFile:
    """Build and record one export (pages and API: the response is the file recorded)."""
    file = prepare(fmt, acting_user=acting_user, study=study)
    record(file, acting_user=acting_user, channel=channel)
    return file
