from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "waymark.needs"
    label = "needs"
    verbose_name = "Needs and safety plans"
