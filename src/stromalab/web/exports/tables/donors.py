"""The donor list (``/donors/``): pseudonym, status, screening verdict, registration date, and
for identity readers the identity store's fields (the same label as its form)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.db.models import Field
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stromalab.web.accounts import roles
from stromalab.web.donors.models import Donor, DonorIdentity
from stromalab.web.donors.queries import listed_donors
from stromalab.web.screening.wording import verdict_label

from .base import Cell, Column, Selection, Table, related

CHUNK = 1000


def _status(donor: Donor) -> str:
    """As the page writes it: the status, then withdrawn and voided when they apply."""
    words = [str(donor.get_status_display())]
    if donor.withdrawn_at:
        words.append(gettext("withdrawn"))
    if donor.voided_at:
        words.append(gettext("voided"))
    return " · ".join(words)


def _verdict(donor: Donor) -> str:
    screening = related(donor, "screening")
    return verdict_label(screening.verdict) if screening is not None else ""


def _identity_field(name: str) -> Column:
    def value(donor: Donor) -> Cell:
        identity = related(donor, "identity")
        return getattr(identity, name) if identity is not None else None

    field = cast("Field[Any, Any]", DonorIdentity._meta.get_field(name))
    return Column(capfirst(field.verbose_name), value, identity=True)


def select(params: Mapping[str, str], reader: Any) -> Selection:
    qs, filters = listed_donors(params)
    if TABLE.names_people(reader):
        qs = qs.select_related("identity")
    return Selection(qs.iterator(chunk_size=CHUNK), filters)


TABLE = Table(
    key="donors",
    title=_("Donors"),
    roles=roles.CLINICAL_READERS,
    columns=(
        Column(_("Pseudonym"), lambda d: d.pseudonym),
        Column(_("Status"), _status),
        Column(_("Screening"), _verdict),
        Column(_("Registered"), lambda d: timezone.localdate(d.created_at)),
        *(_identity_field(name) for name in DonorIdentity.FIELDS),
    ),
    select=select,
)
