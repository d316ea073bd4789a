"""Pages: alerts (see urls.py)."""

urlpatterns: list = []
