from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "waymark.outreach"
    label = "outreach"
    verbose_name = "Street outreach"
