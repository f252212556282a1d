from django.urls import path

from . import views

app_name = "manufacturing"
urlpatterns = [
    path("", views.batch_list, name="batches"),
    path("harvest/", views.harvest_new, name="harvest"),
    path("batches/<str:code>/", views.batch_detail, name="batch"),
    path("batches/<str:code>/receipt/", views.receipt, name="receipt"),
    path("batches/<str:code>/isolation/", views.isolation, name="isolation"),
    path("batches/<str:code>/passages/seed/", views.seed, name="seed"),
    path("batches/<str:code>/passages/harvest/", views.passage_harvest, name="passage_harvest"),
    path("batches/<str:code>/freezing/", views.freezing, name="freezing"),
    path("batches/<str:code>/storage/", views.storage, name="store"),
    path("batches/<str:code>/deviations/", views.deviation, name="deviation"),
    path("batches/<str:code>/deviations/<int:deviation_id>/close/", views.deviation_close, name="deviation_close"),
    path("batches/<str:code>/steps/<int:step_id>/reject/", views.step_reject, name="reject"),
    path("batches/<str:code>/growth.png", views.growth_png, name="growth"),
    path("batches/<str:code>/labels.pdf", views.labels_pdf, name="labels"),
    path("batches/<str:code>/record.pdf", views.record_pdf, name="record"),
    path("storage/", views.box_list, name="storage"),
    path("storage/boxes/<int:box_id>/", views.box_detail, name="box"),
    path("containers/<int:container_id>/", views.container_detail, name="container"),
    path("containers/<int:container_id>/move/", views.container_move, name="move"),
    path("containers/<int:container_id>/dispatch/", views.container_dispatch, name="dispatch"),
    path("trace/", views.trace, name="trace"),
    path("trace/donors/<str:pseudonym>/", views.trace_donor, name="trace_donor"),
    path("trace/donors/<str:pseudonym>/block/", views.trace_donor_block, name="trace_block"),
]
