"""Casework over the REST API: consent."""

from typing import Any


def register(router: Any) -> None:
    """Add this part's viewsets to the API router."""
