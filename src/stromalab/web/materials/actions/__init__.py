"""Every change of the registers and CAPAs (atomic, acting user by keyword, audited).

One module per job: :mod:`.lots` (receipt, certificate, release or rejection),
:mod:`.instruments` (register, calibration, service status), :mod:`.capa` (open, signed
closure). The use of lots and instruments by a manufacturing step or a QC result is judged and
recorded by :mod:`stromalab.web.materials.usage`, inside those apps' actions.
"""

from __future__ import annotations

from .capa import close_capa, open_capa
from .instruments import register_instrument, update_instrument
from .lots import attach_certificate, decide_lot, receive_lot

__all__ = ["attach_certificate", "close_capa", "decide_lot", "open_capa", "receive_lot", "register_instrument",
           "update_instrument"]
