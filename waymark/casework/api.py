"""Casework API: episodes and case notes."""

from __future__ import annotations

from typing import Any


def register(router: Any) -> None:
    """Add this app's viewsets to the API router."""
