from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "waymark.access"
    label = "access"

    def ready(self) -> None:
        from waymark.access import signals

        signals.connect()
