"""Street outreach in the REST API: each part's viewsets and plain views, gathered for api_urls."""

from typing import Any

from waymark.outreach import api_alerts, api_compliance, api_contacts, api_figures, api_maps

PARTS = (api_contacts, api_alerts, api_figures, api_maps, api_compliance)

urlpatterns = [pattern for part in PARTS for pattern in part.urlpatterns]


def register(router: Any) -> None:
    """Add every part's viewsets to the API router."""
    for part in PARTS:
        part.register(router)
