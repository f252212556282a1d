from django.urls import path

from . import views

app_name = "shipping"
urlpatterns = [
    path("", views.shipment_list, name="list"),
    path("new/<str:nct_id>/", views.shipment_new, name="new"),
    path("<int:shipment_id>/", views.shipment_detail, name="detail"),
    path("<int:shipment_id>/logger/", views.logger_upload, name="logger"),
    path("<int:shipment_id>/receipt/", views.receipt, name="receipt"),
]
