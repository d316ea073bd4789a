"""Record-protection pages: restrictions, break-glass, who looked, service notices."""

from django.urls import path

from waymark.access import views_record

app_name = "record"

urlpatterns = [
    path("people/<uuid:public_id>/break-glass/", views_record.break_glass, name="break_glass"),
    path("people/<uuid:public_id>/restriction/", views_record.restriction, name="restriction"),
    path("who-looked/", views_record.who_looked, name="who_looked"),
    path("who-looked/export.csv", views_record.who_looked_export, name="who_looked_export"),
    path("notices/", views_record.notices, name="notices"),
    path("notices/<uuid:public_id>/read/", views_record.notice_read, name="notice_read"),
]
