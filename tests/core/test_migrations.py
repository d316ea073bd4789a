"""The models and the migrations agree, so a fresh database matches the code."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_is_missing_a_migration():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_organisation_names_are_unique_regardless_of_case(cast):
    from django.db import IntegrityError, transaction

    from tests.factories import OrganisationFactory

    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(area=cast.area, name="NORTHWAY OUTREACH")
