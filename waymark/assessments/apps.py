from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "waymark.assessments"
    label = "assessments"
    verbose_name = "Common assessment"
