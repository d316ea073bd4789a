"""Street outreach pages. Each part keeps its own routes in a urls_<part>.py module."""

from waymark.outreach import urls_alerts, urls_compliance, urls_contacts, urls_figures, urls_maps, urls_shift

app_name = "outreach"

urlpatterns = [
    *urls_contacts.urlpatterns,
    *urls_alerts.urlpatterns,
    *urls_figures.urlpatterns,
    *urls_maps.urlpatterns,
    *urls_compliance.urlpatterns,
    *urls_shift.urlpatterns,
]
