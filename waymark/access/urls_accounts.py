"""Signing in and out, MFA, the account page, password and personal API tokens."""

from django.urls import path

from waymark.access import views_auth

urlpatterns = [
    path("login/", views_auth.SignInView.as_view(), name="login"),
    path("logout/", views_auth.SignOutView.as_view(), name="logout"),
    path("keepalive/", views_auth.keepalive, name="session-keepalive"),
    path("mfa/", views_auth.mfa_verify, name="mfa"),
    path("mfa/setup/", views_auth.mfa_setup, name="mfa-setup"),
    path("recovery-codes/", views_auth.mfa_recovery_codes, name="mfa-recovery-codes"),
    path("recovery-codes/new/", views_auth.mfa_recovery_codes_new, name="mfa-recovery-codes-new"),
    path("password/", views_auth.password_change, name="password-change"),
    path("tokens/new/", views_auth.token_new, name="account-token-new"),
    path("tokens/<uuid:public_id>/created/", views_auth.token_created, name="account-token-created"),
    path("tokens/<uuid:public_id>/revoke/", views_auth.token_revoke, name="account-token-revoke"),
    path("", views_auth.account, name="account"),
]
