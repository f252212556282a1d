from django.urls import path

from . import views

app_name = "safety"
urlpatterns = [
    path("", views.donations, name="donations"),
    path("donations/<str:din>/", views.donation, name="donation"),
    path("donors/<str:pseudonym>/events/new/", views.event_new, name="event_new"),
    path("events/<int:event_id>/", views.event, name="event"),
]
