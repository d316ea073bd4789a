"""Casework pages: episodes and case notes, under a person and on their own."""

from django.urls import include, path

from waymark.casework import urls_appointments, urls_caseload, urls_consent, views

app_name = "casework"

urlpatterns = [
    path("people/<uuid:public_id>/notes/", views.notes, name="notes"),
    path("people/<uuid:public_id>/notes/new/", views.note_new, name="note_new"),
    path("notes/<uuid:public_id>/amend/", views.note_amend, name="note_amend"),
    path("people/<uuid:public_id>/episodes/new/", views.episode_start, name="episode_start"),
    path("episodes/<uuid:public_id>/key-worker/", views.episode_key_worker, name="episode_key_worker"),
    path("episodes/<uuid:public_id>/end/", views.episode_end, name="episode_end"),
    path("", include(urls_consent)),
    path("", include(urls_appointments)),
    path("", include(urls_caseload)),
]
