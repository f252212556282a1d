from django.urls import path

from . import views

app_name = "quality"
urlpatterns = [
    path("", views.batch_list, name="batches"),
    path("oos/", views.oos_list, name="oos_list"),
    path("oos/<int:oos_id>/", views.oos_detail, name="oos"),
    path("results/<int:qc_result_id>/", views.result_detail, name="result"),
    path("panels/<int:fcs_panel_id>/", views.panel_detail, name="panel"),
    path("panels/<int:fcs_panel_id>/histogram-<int:histogram_index>.png", views.histogram, name="histogram"),
    path("batches/<str:qc_batch>/", views.batch_qc, name="batch"),
    path("batches/<str:qc_batch>/results/", views.result_add, name="result_add"),
    path("batches/<str:qc_batch>/fcs/", views.fcs_upload, name="fcs_upload"),
    path("batches/<str:qc_batch>/release/", views.release, name="release"),
    path("batches/<str:qc_batch>/certificate.pdf", views.certificate, name="certificate"),
]
