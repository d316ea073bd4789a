from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "waymark.casework"
    label = "casework"
