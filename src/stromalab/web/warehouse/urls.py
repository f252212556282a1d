from django.urls import path

from . import views

app_name = "warehouse"
urlpatterns = [
    path("", views.run_list, name="runs"),
    path("demo/schedule.csv", views.demo_schedule, name="demo_schedule"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/persons/<int:person_id>/", views.person, name="person"),
]
