from django.urls import path

from . import views
from .tables.views import urlpatterns as table_urls

app_name = "exports"
urlpatterns = [
    path("", views.index, name="index"),
    path("fhir/", views.download, {"fmt": "fhir"}, name="fhir"),
    path("odm/", views.download, {"fmt": "odm"}, name="odm"),
    *table_urls,
]
