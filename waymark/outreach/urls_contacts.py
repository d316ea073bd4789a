"""Pages: contacts (see urls.py)."""

urlpatterns: list = []
