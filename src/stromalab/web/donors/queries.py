"""Read-only answers about donors that other apps ask, so that they never re-check consent
themselves (manufacturing, quality): one place decides whether a donor's material may be used.
"""

from __future__ import annotations

from .models import Consent, Donor


def material_use_refusal(donor: Donor) -> str | None:
    """Why the donor's material may not be used, or None when it may: the donor has a signed
    consent that is not withdrawn, and the record is not voided.

    Reads ``donor`` as given (refresh it first when it may be stale);
    :func:`stromalab.web.donors.actions.assert_material_use_allowed` is the refusing form."""
    if donor.is_withdrawn:
        return f"{donor.pseudonym}: consent withdrawn, the material may not be used"
    if donor.is_voided:
        return f"{donor.pseudonym}: record voided, the material may not be used"
    consent = donor.current_consent()
    if consent is None or consent.status != Consent.SIGNED:
        return f"{donor.pseudonym}: no signed consent"
    return None
