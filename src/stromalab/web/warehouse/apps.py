from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarehouseConfig(AppConfig):
    name = "stromalab.web.warehouse"
    label = "warehouse"
    verbose_name = "Warehouse pre-screening"

    def ready(self) -> None:
        from stromalab.web import nav

        from .permissions import READERS

        nav.register("warehouse:runs", _("Pre-screening"), roles=READERS, order=25)
