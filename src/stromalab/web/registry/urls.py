from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.study_list, name="studies"),
    path("<str:nct_id>/", views.study_detail, name="study"),
]
