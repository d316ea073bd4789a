"""Pages: alerts (see urls.py). The report pages are public; the queue and alert pages are for outreach teams."""

from django.urls import path

from waymark.outreach import views_alerts

urlpatterns = [
    path("report/", views_alerts.report, name="report"),
    path("report/thank-you/", views_alerts.report_done, name="report_done"),
    path("alerts/", views_alerts.alert_queue, name="alert_queue"),
    path("alerts/<uuid:alert_id>/", views_alerts.alert_detail, name="alert_detail"),
    path("alerts/<uuid:alert_id>/assign/", views_alerts.alert_assign, name="alert_assign"),
    path("alerts/<uuid:alert_id>/outcome/", views_alerts.alert_outcome, name="alert_outcome"),
    path("alerts/<uuid:alert_id>/tell-reporter/", views_alerts.alert_tell, name="alert_tell"),
]
