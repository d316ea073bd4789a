from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "waymark.outreach"
    label = "outreach"
    verbose_name = "Street outreach"

    def ready(self) -> None:
        # Street contacts join a person's timeline as a source of their own.
        from waymark.outreach import timeline  # noqa: F401
