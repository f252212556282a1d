"""Every change of a shipment, one module per job, each public action one durable transaction
with its audit events: :mod:`.dispatch` (released containers leave storage), :mod:`.logger`
(the temperature logger's file, an excursion opening deviations), :mod:`.receipt` (the site's
signed receipt); :mod:`.custody` holds their shared steps."""

from .dispatch import dispatch_shipment
from .logger import MAX_LOGGER_BYTES, upload_logger_file
from .receipt import confirm_receipt

__all__ = ["MAX_LOGGER_BYTES", "confirm_receipt", "dispatch_shipment", "upload_logger_file"]
