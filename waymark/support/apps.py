from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "waymark.support"
    label = "support"
    verbose_name = "Support plans"
