from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("queues/<slug:key>/", views.queue, name="queue"),
]
