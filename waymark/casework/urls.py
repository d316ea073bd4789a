"""Casework pages: episodes and case notes, under a person and on their own."""

app_name = "casework"

urlpatterns: list = []
