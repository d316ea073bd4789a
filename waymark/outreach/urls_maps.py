"""Pages: maps (see urls.py)."""

from django.urls import path

from waymark.outreach import views_maps

urlpatterns = [
    path("map/", views_maps.team_map, name="map"),
    path("people/<uuid:person_id>/map/", views_maps.person_map, name="person_map"),
    path("hotspots/", views_maps.hotspots, name="hotspots"),
]
