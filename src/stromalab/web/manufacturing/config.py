"""Where the manufacturing actions read their configuration: Django settings and the study.

Settings (``django.conf.settings``; ``web/settings.py`` fills them from the environment):

``STROMALAB_FIN``
    Facility identification number for DIN assignment (default ``G1234``, a test FIN: set the
    unit's own FIN, issued by ICCBBA, in production).
``STROMALAB_PRODUCT_CODE``
    ISBT 128 product code printed with the containers (default ``S1234``, a test code).
``STROMALAB_SHELF_LIFE_DAYS``
    Shelf life of frozen containers (default 365 days from freezing).

``STROMALAB_PROTOCOLS``
    The folder of protocol folders (default: the repository's ``protocols/``).

In-process limits are the batch's own study's (``protocols/<study>/manufacturing.yaml`` of the
donor's study), not a site-wide setting: two studies may run side by side with different limits.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy

from stromalab.core.manufacturing import isbt128
from stromalab.core.manufacturing.specification import Specification, load_current

DEFAULT_FIN = "G1234"
DEFAULT_PRODUCT_CODE = "S1234"
DEFAULT_SHELF_LIFE_DAYS = 365
DEFAULT_PRODUCT = "MSC(AT), allogeneic adipose tissue-derived mesenchymal stromal cells, cryopreserved"
#: printed on every container label, in the label's language
STORAGE_CONDITIONS = gettext_lazy("≤ −150 °C, vapour phase of liquid nitrogen")


def facility_fin() -> str:
    """The facility's FIN, validated (an invalid one raises ``Isbt128Error`` naming it)."""
    fin = str(getattr(settings, "STROMALAB_FIN", None) or DEFAULT_FIN)
    isbt128.Din(fin, 0, 0)
    return fin


def product_code() -> str:
    return str(getattr(settings, "STROMALAB_PRODUCT_CODE", None) or DEFAULT_PRODUCT_CODE)


def shelf_life_days() -> int:
    return int(getattr(settings, "STROMALAB_SHELF_LIFE_DAYS", None) or DEFAULT_SHELF_LIFE_DAYS)


def study_file(study_id: str, name: str) -> Path:
    """``<protocols>/<study>/<name>``: the protocols folder is the ``STROMALAB_PROTOCOLS``
    setting when set, else the core's (the repository's ``protocols/``)."""
    from stromalab.core.protocol import protocols_root

    root = getattr(settings, "STROMALAB_PROTOCOLS", None)
    return (Path(root) if root else protocols_root()) / study_id / name


def in_process_limits(study_id: str) -> Specification:
    """The in-process limits of ``study_id`` (re-read when the file changes)."""
    return load_current(study_file(study_id, "manufacturing.yaml"))
