"""REST API: maps. `register(router)` adds viewsets; `urlpatterns` holds plain API views."""

from typing import Any

urlpatterns: list = []


def register(router: Any) -> None:
    """Add this part's viewsets to the API router."""
