from django.urls import path

from . import views

app_name = "screening"
urlpatterns = [
    path("codes/", views.code_search, name="codes"),
    path("queries/", views.query_list, name="queries"),
    path("queries/<int:query_id>/", views.query_detail, name="query"),
    path("<str:pseudonym>/", views.crf, name="crf"),
    path("<str:pseudonym>/preview/", views.preview, name="preview"),
    path("<str:pseudonym>/coded/", views.coded_add, name="coded_add"),
    path("<str:pseudonym>/coded/<str:kind>/<int:entry_id>/void/", views.coded_void, name="coded_void"),
    path("<str:pseudonym>/query/", views.query_open, name="query_open"),
    path("<str:pseudonym>/decision/", views.decision, name="decision"),
    path("<str:pseudonym>/enroll/", views.enroll, name="enroll"),
]
