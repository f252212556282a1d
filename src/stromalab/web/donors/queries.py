"""Read-only answers about donors that other apps ask, so that they never re-check consent
themselves (manufacturing, quality): one place decides whether a donor's material may be used.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import Consent, Donor, Study


def current_study() -> Study | None:
    """The study this instance runs (``STROMALAB_PROTOCOL``), else the first loaded; None before
    the bootstrap loads one."""
    return Study.objects.filter(pk=settings.STROMALAB_PROTOCOL).first() or Study.objects.first()


def listed_donors(params: Mapping[str, str]) -> tuple[QuerySet[Donor], dict[str, str]]:
    """The donor list's rows (newest first; ``q`` searches the pseudonym) and the filters in
    force: the page and its CSV/Excel export (web/exports/tables) read the same rows."""
    qs = Donor.objects.select_related("screening").order_by("-id")
    q = params.get("q", "").strip()
    if q:
        qs = qs.filter(pseudonym__icontains=q)
    return qs, ({"q": q} if q else {})


def material_use_refusal(donor: Donor) -> str | None:
    """Why the donor's material may not be used, or None when it may: the donor has a signed
    consent that is not withdrawn, and the record is not voided.

    Reads ``donor`` as given (refresh it first when it may be stale);
    :func:`stromalab.web.donors.actions.assert_material_use_allowed` is the refusing form."""
    if donor.is_withdrawn:
        return _("%(donor)s: consent withdrawn, the material may not be used") % {"donor": donor.pseudonym}
    if donor.is_voided:
        return _("%(donor)s: record voided, the material may not be used") % {"donor": donor.pseudonym}
    consent = donor.current_consent()
    if consent is None or consent.status != Consent.SIGNED:
        return _("%(donor)s: no signed consent") % {"donor": donor.pseudonym}
    return None
