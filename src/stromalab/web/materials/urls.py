from django.urls import path

from . import views

app_name = "materials"
urlpatterns = [
    path("lots/", views.lot_list, name="lots"),
    path("lots/<int:lot_id>/", views.lot_detail, name="lot"),
    path("lots/<int:lot_id>/certificate.pdf", views.lot_certificate, name="lot_certificate"),
    path("instruments/", views.instrument_list, name="instruments"),
    path("instruments/<int:instrument_id>/", views.instrument_detail, name="instrument"),
    path("capas/", views.capa_list, name="capas"),
    path("capas/<int:capa_id>/", views.capa_detail, name="capa"),
]
