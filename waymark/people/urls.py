"""People pages."""

from django.urls import path

from waymark.people import views, views_record

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("<uuid:public_id>/", views_record.person_detail, name="detail"),
]
