"""Pages: figures (see urls.py)."""

urlpatterns: list = []
