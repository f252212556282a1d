from django.apps import AppConfig


class ManufacturingConfig(AppConfig):
    name = "stromalab.web.manufacturing"
    label = "manufacturing"
    verbose_name = "Manufacturing"
