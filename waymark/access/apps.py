from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "waymark.access"
    label = "access"
