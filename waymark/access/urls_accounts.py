"""Signing in and out, MFA, password and API tokens."""

from django.contrib.auth import views as auth_views
from django.urls import path

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="access/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]

from waymark.access import views_auth  # noqa: E402

urlpatterns += [
    path("keepalive/", views_auth.keepalive, name="session-keepalive"),
    path("", views_auth.account, name="account"),
]
