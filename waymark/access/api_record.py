"""Record-protection API: restrictions, break-glass, who looked."""

from __future__ import annotations

from typing import Any


def register(router: Any) -> None:
    """Add this module's viewsets to the API router."""
