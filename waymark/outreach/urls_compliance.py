"""Pages: compliance scores (see urls.py), under /outreach/compliance/."""

from django.urls import path, register_converter

from waymark.outreach import views_compliance as views

# A name of our own: converters are registered for the whole project.
register_converter(views.MonthConverter, "compliance_month")

urlpatterns = [
    path("compliance/", views.index, name="compliance"),
    path("compliance/fields/", views.essential_fields, name="compliance_fields"),
    path("compliance/<uuid:service_id>/<compliance_month:month>/", views.detail, name="compliance_detail"),
    path(
        "compliance/<uuid:service_id>/<compliance_month:month>/recalculate/",
        views.recalculate,
        name="compliance_recalculate",
    ),
]
