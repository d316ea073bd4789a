"""Objects this part's pages need for the accessibility walk (tests/browser/test_accessibility.py)."""

from __future__ import annotations

from typing import Any


def add_walk_objects(cast: Any) -> None:
    """Create what this part's pages show, for the cast's users."""
