"""The first area admin of a new installation, from the command line."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from waymark.access import rules
from waymark.access.models import User
from waymark.audit.models import AuditEvent, AuditKind


@pytest.mark.django_db
def test_it_creates_the_area_organisation_and_admin(monkeypatch):
    monkeypatch.setenv("WAYMARK_ADMIN_PASSWORD", "a-long-enough-pass-phrase")
    call_command("create_area_admin", area="Testshire", organisation="Testshire Partnership", username="first.admin")
    user = User.objects.get(username="first.admin")
    assert user.area.name == "Testshire"
    assert user.organisation.name == "Testshire Partnership"
    assert user.check_password("a-long-enough-pass-phrase")
    assert rules.context_for(user).is_area_admin
    assert AuditEvent.objects.filter(kind=AuditKind.ADMIN, username="manage.py").exists()


@pytest.mark.django_db
def test_it_refuses_a_weak_password_and_creates_nothing(monkeypatch):
    monkeypatch.setenv("WAYMARK_ADMIN_PASSWORD", "short")
    with pytest.raises(CommandError, match="too short"):
        call_command("create_area_admin", area="Testshire", organisation="Partnership", username="first.admin")
    assert not User.objects.exists()
