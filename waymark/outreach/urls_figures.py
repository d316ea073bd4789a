"""Pages: rough-sleeping figures and their exports (see urls.py)."""

from django.urls import path

from waymark.outreach import views_figures

urlpatterns: list = [
    path("figures/", views_figures.figures_page, name="figures"),
    path("figures/export.csv", views_figures.figures_csv, name="figures_csv"),
    path("figures/export.xlsx", views_figures.figures_xlsx, name="figures_xlsx"),
]
