"""The audit log pages (area admins)."""

from django.urls import path
from django.views.generic import TemplateView

app_name = "audit"

urlpatterns = [
    path("", TemplateView.as_view(template_name="audit/list.html"), name="list"),
]
