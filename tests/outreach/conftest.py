"""Helpers for street outreach tests: contacts made through the service layer, district outlines."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from waymark.outreach import geo
from waymark.outreach.services import ContactDetails, record_contact

# A square district outline around (53.48, -2.24), [longitude, latitude] pairs.
TESTFORD_SQUARE = [[-2.30, 53.44], [-2.18, 53.44], [-2.18, 53.52], [-2.30, 53.52]]


@pytest.fixture
def testford_outline(cast):
    return geo.save_boundary(cast.district, TESTFORD_SQUARE)


def contact(user, service, *, person=None, description="", seen_doing="bedded_down", when=None, **fields):
    """Record a contact as `user` for `service` through the service layer; returns the contact."""
    details = ContactDetails(
        seen_at=when or timezone.now() - datetime.timedelta(hours=1),
        seen_doing=seen_doing,
        person=person,
        description=description or ("" if person else "Man, 40s, green sleeping bag"),
        place=fields.pop("place", "Doorway of 12 High Street"),
        **fields,
    )
    made, _ = record_contact(user, service, details)
    return made
