"""Pages: the mobile shift (see urls.py)."""

urlpatterns: list = []
