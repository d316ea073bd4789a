"""Pages: street contacts (see urls.py)."""

from django.urls import path

from waymark.outreach import views_contacts as views

urlpatterns = [
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/new/", views.contact_new, name="contact_new"),
    path("contacts/<uuid:contact_id>/", views.contact_detail, name="contact_detail"),
    path("contacts/<uuid:contact_id>/link/", views.contact_link, name="contact_link"),
    path("people/<uuid:person_id>/contacts/", views.person_contact_list, name="person_contacts"),
]
