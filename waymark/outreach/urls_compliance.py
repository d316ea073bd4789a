"""Pages: compliance (see urls.py)."""

urlpatterns: list = []
