from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="events"),
    path("export.csv", views.event_export, name="export"),
    path("subject/<str:subject>/", views.subject_trail, name="subject"),
    path("subject/<str:subject>/export.csv", views.subject_export, name="subject_export"),
]
