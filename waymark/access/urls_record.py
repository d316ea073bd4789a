"""Record-protection pages: restrictions, break-glass, who looked, service notices."""

app_name = "record"

urlpatterns: list = []
