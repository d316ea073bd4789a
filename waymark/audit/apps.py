from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "waymark.audit"
    label = "audit"
