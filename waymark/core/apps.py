from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "waymark.core"
    label = "core"
    verbose_name = "Waymark core"
