"""A shipment's temperature logger file: read by the core, stored once with its SHA-256, judged
against the shipment's limits; an excursion opens a deviation on each batch of the shipment.

As with FCS files (:mod:`stromalab.web.quality.storage`), the file is staged, and linked into
place only once every row is written, just before the commit; a refused or failed upload leaves
no file behind. A malformed file is refused in one line naming the row at fault.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stromalab.core.shipping.logger import (
    LoggerFileError,
    Reading,
    read_logger_csv,
    temperature_excursion,
)
from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_event
from stromalab.web.audit.kinds import EventKind
from stromalab.web.quality import storage

from ..models import LoggerFile, Shipment
from ..permissions import LOGGER_UPLOADERS
from .custody import lock_batches, open_excursion_deviations

#: the largest logger file accepted (bytes): a month of readings every minute is under 2 MB
MAX_LOGGER_BYTES = 5 * 2**20


def _refusal(error: LoggerFileError) -> str:
    """The core's refusal in the reader's language: the rule broken and the row at fault."""
    texts = {
        "encoding": _("the file is not UTF-8 text (save the CSV as UTF-8)"),
        "empty": _("the file holds no readings under its header"),
        "header": _("row 1: the first row must name the columns time and temperature_c"),
        "columns": _("row %(row)s: expected 2 columns (time, temperature_c)"),
        "too_many": _("row %(row)s: more than %(count)s readings"),
        "time": _("row %(row)s: time “%(value)s” is not a date and time (2026-03-01T10:00:00+01:00 or "
                  "01/03/2026 10:00)"),
        "when": _("row %(row)s: time %(value)s is before 2000 or in the future"),
        "order": _("row %(row)s: time not after the previous row's (readings in time order)"),
        "temperature": _("row %(row)s: temperature “%(value)s” is not a number"),
        "plausible": _("row %(row)s: %(value)s °C is not a plausible logger reading (−200 to 60 °C)"),
    }
    return texts[error.kind] % error.params + " — " + _("nothing was stored")


def _readings(data: bytes) -> tuple[Reading, ...]:
    if not data:
        raise ValidationError({"file": _("the file is empty — nothing was stored")})
    if len(data) > MAX_LOGGER_BYTES:
        raise ValidationError({"file": _("larger than %(mb)s MB — nothing was stored") % {
            "mb": MAX_LOGGER_BYTES // 2**20}})
    try:
        return read_logger_csv(data, zone=timezone.get_current_timezone(), latest=timezone.now())
    except LoggerFileError as e:
        raise ValidationError({"file": _refusal(e)}) from e


def _utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat()


@transaction.atomic(durable=True)
def upload_logger_file(*, shipment: Shipment, name: str, data: bytes, acting_user: Any) -> LoggerFile:
    """Store a logger's CSV export for ``shipment`` and judge its readings.

    Any reading outside the shipment's temperature range opens a deviation (check
    ``shipping-temperature``) on each of its batches, in this transaction; the same file (same
    SHA-256) is not stored twice for a shipment."""
    check_role(acting_user, LOGGER_UPLOADERS)
    batches = lock_batches(shipment)
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    readings = _readings(data)
    digest = storage.sha256(data)
    if shipment.logger_files.filter(sha256=digest).exists():
        raise ValidationError({"file": _("this file was already uploaded for shipment %(code)s — nothing was "
                                         "stored") % {"code": shipment.code}})
    safe = storage.safe_name(name)
    excursion = temperature_excursion(readings, shipment.limits)
    temperatures = [r.temperature_c for r in readings]
    staged = storage.stage(data)
    try:
        logger = LoggerFile.objects.create(
            shipment=shipment, uploaded_by=acting_user, original_name=safe,
            stored_path=f"shipping/{shipment.code}/{digest[:16]}-{safe}", sha256=digest, size=len(data),
            readings=[[_utc(r.at), str(r.temperature_c)] for r in readings], first_at=readings[0].at,
            last_at=readings[-1].at, minimum_c=min(temperatures), maximum_c=max(temperatures),
            excursion=excursion is not None)
        record_event(acting_user=acting_user, action=EventKind.CREATE, record=logger, new={
            "name": safe, "sha256": digest, "size": len(data), "path": logger.stored_path,
            "readings": len(readings), "first": _utc(readings[0].at), "last": _utc(readings[-1].at),
            "minimum_c": logger.minimum_c, "maximum_c": logger.maximum_c, "excursion": logger.excursion})
        if excursion is not None:
            first = excursion.readings[0]
            description = (f"temperature excursion during shipment {shipment.code}: {len(excursion.readings)} "
                           f"logger reading(s) outside {excursion.limit}, the farthest {excursion.value}, "
                           f"the first at {_utc(first.at)} (logger file {safe})")
            open_excursion_deviations(shipment, batches, check_id="shipping-temperature", description=description,
                                      value=excursion.value, limit=excursion.limit, acting_user=acting_user,
                                      logger_file=logger)
        storage.publish(staged, logger.stored_path, digest)  # last: the file moves into place before the commit
    except BaseException:
        storage.discard([staged])
        raise
    return logger
