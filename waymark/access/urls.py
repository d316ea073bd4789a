"""Administration pages (area admins; service managers for their members)."""

from django.urls import path
from django.views.generic import TemplateView

app_name = "manage"

urlpatterns = [
    path("", TemplateView.as_view(template_name="access/manage/index.html"), name="index"),
]
