"""Pages: maps (see urls.py)."""

urlpatterns: list = []
