from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShippingConfig(AppConfig):
    name = "stromalab.web.shipping"
    label = "shipping"
    verbose_name = "Shipment to the clinical sites"

    def ready(self) -> None:
        from stromalab.web import nav

        from .permissions import READERS

        nav.register("shipping:list", _("Shipments"), roles=READERS, order=55)
