from django.urls import path

from . import views

app_name = "donors"
urlpatterns = [
    path("", views.donor_list, name="list"),
    path("new/", views.donor_register, name="register"),
    path("<str:pseudonym>/", views.donor_detail, name="detail"),
    path("<str:pseudonym>/identity/", views.donor_identity, name="identity"),
    path("<str:pseudonym>/consent/", views.donor_consent, name="consent"),
    path("<str:pseudonym>/void/", views.donor_void, name="void"),
]
