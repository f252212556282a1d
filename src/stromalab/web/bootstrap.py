"""Load a protocol into the database (idempotent): study row, information sheet, slots."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction


@transaction.atomic
def load_study(protocol_id: str, *, acting_user: Any = None) -> Any:
    from stromalab.core.protocol import load_protocol
    from stromalab.web.donors.actions import add_information_sheet, ensure_study
    from stromalab.web.donors.models import InformationSheet
    from stromalab.web.screening.actions import ensure_slots

    protocol = load_protocol(protocol_id)
    study = ensure_study(study_id=protocol.id, title=protocol.title,
                         enrollment_target=protocol.enrollment_target,
                         protocol_version=str(protocol.version), acting_user=acting_user)
    if not InformationSheet.objects.filter(study=study).exists():
        add_information_sheet(study=study, version="1.0", effective_date=dt.date(2026, 1, 1),
                              title="Donor information sheet and consent form", acting_user=acting_user)
    ensure_slots(study=study, acting_user=acting_user)
    return study
