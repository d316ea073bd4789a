"""Pages: the mobile shift (see urls.py)."""

from django.urls import path

from waymark.outreach import views_shift

urlpatterns: list = [
    path("shift/", views_shift.shift, name="shift"),
    path("shift/sw.js", views_shift.service_worker, name="shift_sw"),
]
