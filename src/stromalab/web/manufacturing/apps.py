from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ManufacturingConfig(AppConfig):
    name = "stromalab.web.manufacturing"
    label = "manufacturing"
    verbose_name = "Manufacturing"

    def ready(self) -> None:
        from stromalab.web import nav

        from .permissions import READERS, TRACE_READERS

        nav.register("manufacturing:batches", _("Batches"), roles=READERS, order=40)
        nav.register("manufacturing:storage", _("Storage"), roles=READERS, order=41)
        nav.register("manufacturing:trace", _("Traceability"), roles=TRACE_READERS, order=42)
