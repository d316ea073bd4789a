"""Roles, service kinds and restriction levels: the access model's vocabulary."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    CONTRIBUTOR = "contributor", "Worker (contributor)"
    VIEWER = "viewer", "Viewer (look-up only)"
    MANAGER = "manager", "Service manager"
    COORDINATOR = "coordinator", "Coordinator"
    AREA_ADMIN = "area_admin", "Area admin"
    ANALYST = "analyst", "Analyst"


SERVICE_ROLES = frozenset({Role.CONTRIBUTOR, Role.VIEWER, Role.MANAGER})
AREA_ROLES = frozenset({Role.COORDINATOR, Role.AREA_ADMIN, Role.ANALYST})
# Roles that may write person data for their service.
WRITING_ROLES = frozenset({Role.CONTRIBUTOR, Role.MANAGER})


class ServiceKind(models.TextChoices):
    OUTREACH = "outreach", "Street outreach"
    HOSTEL = "hostel", "Hostel"
    FLOATING_SUPPORT = "floating_support", "Floating support"
    HEALTH_CASE_MANAGEMENT = "health_case_management", "Health case management"
    DROP_IN = "drop_in", "Drop-in / day centre"
    REFUGE = "refuge", "Refuge"
    HOUSING_OPTIONS = "housing_options", "Housing options"
    OTHER = "other", "Other"


class Restriction(models.TextChoices):
    NONE = "none", "None"
    PROTECTED = "protected", "Protected"
    HIDDEN = "hidden", "Hidden"


class Visibility(models.IntegerChoices):
    """How much of a person a user may see. Ordered: more is higher."""

    NONE = 0, "Not visible"
    EXISTS = 1, "That a record exists, and whom to contact"
    FULL = 2, "The shared record"


# The audit flag on a read of the notes of a person none of the reader's services
# works with (Mainstay's rule); "who looked" lists the reads carrying it.
FLAG_NOT_WORKING_WITH = "not_working_with"
