"""The access model: who belongs where, and which organisations share.

The rules that turn these rows into what a user may see live in
`access/rules.py`; nothing else decides visibility.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import date

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from waymark.access.constants import AREA_ROLES, SERVICE_ROLES, Role, ServiceKind
from waymark.core.models import PublicModel


class Area(PublicModel):
    """One installation's territory: a city region, a county or a country."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class District(PublicModel):
    """A local authority within the area; a person's local connection is to one."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="districts")
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=20, blank=True, help_text="ONS code, e.g. E08000003")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "area",
                Lower("name"),
                name="district_unique_name",
                violation_error_message="A district with this name already exists in this area.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationQuerySet(models.QuerySet):
    def with_current_agreement(self, on: date | None = None) -> OrganisationQuerySet:
        """Organisations whose information sharing agreement is in force on a date (default today)."""
        return self.filter(pk__in=SharingAgreement.objects.current(on).values("organisation_id"))


class Organisation(PublicModel):
    """A charity, council team, NHS trust or housing provider that runs services."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="organisations")
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "area",
                Lower("name"),
                name="organisation_unique_name",
                violation_error_message="An organisation with this name already exists in this area.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Service(PublicModel):
    """A team or project people are supported by: an outreach team, a hostel, a refuge."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="services")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="services", null=True, blank=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=ServiceKind.choices)
    restricted = models.BooleanField(
        default=False,
        help_text="Refuges and similar: people this service registers are protected by default.",
    )
    hidden_work = models.BooleanField(
        default=False,
        help_text="The service's work is hidden: people it registers are hidden from other services.",
    )
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)
    caseload_limit = models.PositiveIntegerField(default=20)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("name"),
                name="service_unique_name",
                violation_error_message="A service with this name already exists in this organisation.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff (or, later, a person using the portal)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="users", null=True, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    job_title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(user__is_active=True, ended_at__isnull=True).filter(
            Q(service__isnull=True) | Q(service__is_active=True, service__organisation__is_active=True)
        )


class Membership(PublicModel):
    """A user's role in a service, or an area-wide role (service left empty)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="memberships")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="memberships", null=True, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["service__name", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=sorted(SERVICE_ROLES), service__isnull=False)
                    | Q(role__in=sorted(AREA_ROLES), service__isnull=True)
                ),
                name="membership_role_matches_scope",
            ),
            models.UniqueConstraint(
                fields=["user", "service", "role"],
                condition=Q(ended_at__isnull=True),
                name="membership_unique_active",
            ),
        ]

    def __str__(self) -> str:
        where = self.service.name if self.service_id else "area"
        return f"{self.user} — {self.get_role_display()} ({where})"


class SharingAgreementQuerySet(models.QuerySet):
    def current(self, on: date | None = None) -> SharingAgreementQuerySet:
        """Agreements in force on a date. Evaluated per query, so expiry needs no restart."""
        on = on or timezone.localdate()
        return self.filter(signed_on__lte=on).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))


class SharingAgreement(PublicModel):
    """An organisation's signed information sharing agreement (ISA)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="agreements")
    version = models.CharField(max_length=40, help_text="The version of the area's agreement signed, e.g. 2026.1")
    signed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    signed_by = models.CharField(max_length=200, blank=True)

    objects = SharingAgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on"]

    def __str__(self) -> str:
        return f"{self.organisation} v{self.version}"

    def is_current(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.signed_on <= on and (self.expires_on is None or self.expires_on >= on)


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True)


class ApiToken(PublicModel):
    """A personal API token. Only its hash is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_key() -> str:
        return "wm_" + secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class UserSession(models.Model):
    """Which sessions belong to which user, so deactivation can end them at once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"session of {self.user_id} from {self.created_at:%Y-%m-%d %H:%M}"


class BreakGlassReason(models.TextChoices):
    SAFEGUARDING = "safeguarding", "Immediate safeguarding concern"
    RISK_TO_LIFE = "risk_to_life", "Risk to life or serious harm"
    MEDICAL = "medical", "Medical emergency"
    MISSING = "missing", "Person reported missing"
    DUTY_OF_CARE = "duty_of_care", "Out-of-hours duty of care"
    OTHER = "other", "Other (explain below)"


class BreakGlassScope(models.TextChoices):
    IDENTITY = "identity", "A protected person's identity"
    NOTES = "notes", "Case notes"


class BreakGlass(PublicModel):
    """A contributor's reasoned request to read what the access model would withhold.

    Granted at once and for a short while (`expires_at`); every read under it is
    audited, flagged on the page and listed for the owning services and area admins.
    Never reveals a `hidden` person.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glasses")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="break_glasses")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="break_glasses")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(max_length=10, choices=BreakGlassScope.choices)
    reason = models.CharField(max_length=20, choices=BreakGlassReason.choices)
    explanation = models.TextField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "person", "-expires_at"], name="breakglass_user_person"),
            models.Index(fields=["area", "-created_at"], name="breakglass_area_newest"),
        ]

    def __str__(self) -> str:
        return f"break-glass by {self.user_id} on {self.person_id} at {self.created_at:%Y-%m-%d %H:%M}"


class ServiceNotice(PublicModel):
    """A message to a service about a change it must know of (e.g. a record it can no longer see).

    Says what changed, never why.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="notices")
    message = models.TextField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["service", "read_at"], name="notice_service_unread")]

    def __str__(self) -> str:
        return self.message[:60]
