"""People pages."""

from django.urls import path

from waymark.people import views, views_record

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("register/", views.register, name="register"),
    path("register/check/", views.register_check, name="register_check"),
    path("register/pick/", views.register_pick, name="register_pick"),
    path("<uuid:public_id>/", views_record.person_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.edit, name="edit"),
]
