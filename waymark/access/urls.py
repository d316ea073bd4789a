"""Administration pages (area admins; service managers for their members), under /manage/."""

from __future__ import annotations

from django.urls import path

from waymark.access import views_manage as views

app_name = "manage"

urlpatterns = [
    path("", views.index, name="index"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<uuid:public_id>/edit/", views.organisation_edit, name="organisation-edit"),
    path("districts/", views.district_list, name="district-list"),
    path("districts/new/", views.district_create, name="district-create"),
    path("districts/<uuid:public_id>/edit/", views.district_edit, name="district-edit"),
    path("services/", views.service_list, name="service-list"),
    path("services/new/", views.service_create, name="service-create"),
    path("services/<uuid:public_id>/", views.service_detail, name="service-detail"),
    path("services/<uuid:public_id>/edit/", views.service_edit, name="service-edit"),
    path("services/<uuid:public_id>/members/add/", views.service_member_add, name="service-member-add"),
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<uuid:public_id>/", views.user_detail, name="user-detail"),
    path("users/<uuid:public_id>/edit/", views.user_edit, name="user-edit"),
    path("users/<uuid:public_id>/password/", views.user_password, name="user-password"),
    path("users/<uuid:public_id>/deactivate/", views.user_deactivate, name="user-deactivate"),
    path("users/<uuid:public_id>/reactivate/", views.user_reactivate, name="user-reactivate"),
    path("users/<uuid:public_id>/unlock/", views.user_unlock, name="user-unlock"),
    path("users/<uuid:public_id>/roles/add/", views.membership_add, name="membership-add"),
    path("memberships/<uuid:public_id>/end/", views.membership_end, name="membership-end"),
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/new/", views.agreement_create, name="agreement-create"),
    path("agreements/<uuid:public_id>/edit/", views.agreement_edit, name="agreement-edit"),
]
