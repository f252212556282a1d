from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "stromalab.web.quality"
    label = "quality"
    verbose_name = "Quality control and release"

    def ready(self) -> None:
        from stromalab.web import nav

        from .permissions import READERS

        nav.register("quality:batches", _("Quality control"), roles=READERS, order=50)
        nav.register("quality:oos_list", _("OOS"), roles=READERS, order=51)
