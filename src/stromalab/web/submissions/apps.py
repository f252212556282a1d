from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "stromalab.web.submissions"
    label = "submissions"
    verbose_name = "Submissions"
