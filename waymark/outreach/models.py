"""Street outreach: contacts in the street, where they happened, and alerts from the public.

A street contact by an outreach team is CHAIN's unit of record: who was met, where,
what they were doing and what was done. A contact where the person was bedded down
(or in a tent or vehicle), recorded by an outreach service, counts them as seen
rough sleeping on that day: the figures are built from those.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from waymark.core.models import PublicModel, VersionedModel
from waymark.outreach.querysets import AlertQuerySet, StreetContactQuerySet


class SeenDoing(models.TextChoices):
    """What the worker saw the person doing."""

    BEDDED_DOWN = "bedded_down", "Bedded down (verified rough sleeping)"
    TENT_OR_VEHICLE = "tent_or_vehicle", "In a tent or vehicle"
    SITTING_OR_WALKING = "sitting_or_walking", "Sitting or walking about"
    BEGGING = "begging", "Begging"
    DAY_CENTRE = "day_centre", "At a day centre"


# Seen doing these, by an outreach service, counts as seen rough sleeping.
ROUGH_SLEEPING = frozenset({SeenDoing.BEDDED_DOWN, SeenDoing.TENT_OR_VEHICLE})


class ActionTaken(models.TextChoices):
    """What the worker did."""

    CONVERSATION = "conversation", "Conversation"
    OFFERED_ACCOMMODATION = "offered_accommodation", "Offer of accommodation"
    REFERRAL_MADE = "referral_made", "Referral made"
    EMERGENCY_SERVICES = "emergency_services", "Health or emergency services called"
    DECLINED = "declined", "Declined to engage"


class ObservedNeed(models.TextChoices):
    """Needs a worker can see or is told about in the street (the tracker's categories)."""

    MENTAL_HEALTH = "mental_health", "Mental health"
    DRUGS = "drugs", "Drug use"
    ALCOHOL = "alcohol", "Alcohol use"
    PHYSICAL_HEALTH = "physical_health", "Physical health"
    SAFEGUARDING = "safeguarding", "Safeguarding concern"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    NRPF = "nrpf", "No recourse to public funds"
    NONE_SEEN = "none_seen", "None seen"


class SiteType(models.TextChoices):
    """The kind of place, for hotspot maps."""

    DOORWAY = "doorway", "Doorway or shop front"
    PARK = "park", "Park or open space"
    STATION = "station", "Station or transport hub"
    CAR_PARK = "car_park", "Car park"
    UNDERPASS = "underpass", "Underpass or bridge"
    TENT = "encampment", "Tent or encampment"
    VEHICLE = "vehicle", "Vehicle"
    BIN_STORE = "bin_store", "Bin store or stairwell"
    OTHER = "other", "Other"


class StreetContact(VersionedModel):
    """One meeting in the street between an outreach team and a person (or someone not yet identified)."""

    area = models.ForeignKey("access.Area", on_delete=models.PROTECT, related_name="street_contacts")
    service = models.ForeignKey("access.Service", on_delete=models.PROTECT, related_name="street_contacts")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="street_contacts_recorded"
    )
    workers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="street_contacts", blank=True)
    seen_at = models.DateTimeField(help_text="When they were met (stored in UTC).")
    seen_on = models.DateField(help_text="The day in Europe/London: what the figures count.")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="street_contacts"
    )
    description = models.CharField(
        max_length=200, blank=True, help_text="For someone not yet identified: e.g. man, 40s, green sleeping bag."
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    place = models.CharField(max_length=200, blank=True, help_text="e.g. doorway of 12 High Street")
    district = models.ForeignKey(
        "access.District", on_delete=models.PROTECT, null=True, blank=True, related_name="street_contacts"
    )
    site_type = models.CharField(max_length=20, choices=SiteType.choices, blank=True)
    seen_doing = models.CharField(max_length=20, choices=SeenDoing.choices)
    actions = models.JSONField(default=list, blank=True, help_text="ActionTaken codes.")
    needs = models.JSONField(default=list, blank=True, help_text="ObservedNeed codes.")
    rough_sleeping = models.BooleanField(
        default=False, help_text="Counts the person as seen rough sleeping on `seen_on` (set by the service layer)."
    )
    idempotency_key = models.UUIDField(
        null=True, blank=True, unique=True, help_text="Set by the device, so a contact sent twice is kept once."
    )

    objects = StreetContactQuerySet.as_manager()

    class Meta:
        ordering = ["-seen_at", "-id"]
        indexes = [
            models.Index(fields=["person", "seen_at"], name="contact_person_seen"),
            models.Index(fields=["service", "seen_at"], name="contact_service_seen"),
            models.Index(fields=["area", "seen_on"], name="contact_area_day"),
            models.Index(
                fields=["area", "seen_on", "person"], condition=Q(rough_sleeping=True), name="contact_rough_sleeping"
            ),
        ]

    def __str__(self) -> str:
        return f"Street contact {self.public_id} on {self.seen_on}"

    @property
    def is_identified(self) -> bool:
        return self.person_id is not None


class AlertSource(models.TextChoices):
    PUBLIC = "public", "Member of the public"
    PARTNER = "partner", "Partner platform"
    IMPORT = "import", "Imported"


class AlertStatus(models.TextChoices):
    NEW = "new", "New"
    ASSIGNED = "assigned", "Assigned"
    CLOSED = "closed", "Closed"


class AlertOutcome(models.TextChoices):
    FOUND = "found", "Found and contacted"
    NOT_FOUND = "not_found", "Not found"
    ALREADY_KNOWN = "already_known", "Already known"
    OUTSIDE_AREA = "outside_area", "Outside the area"
    NOT_ROUGH_SLEEPING = "not_rough_sleeping", "Not rough sleeping"


class Alert(VersionedModel):
    """A report that someone is sleeping rough, from the public or a partner platform."""

    area = models.ForeignKey("access.Area", on_delete=models.PROTECT, related_name="alerts")
    source = models.CharField(max_length=10, choices=AlertSource.choices, default=AlertSource.PUBLIC)
    external_id = models.CharField(
        max_length=100, blank=True, help_text="The other platform's reference: the same alert twice is kept once."
    )
    received_at = models.DateTimeField()
    seen_at = models.DateTimeField(null=True, blank=True, help_text="When the reporter saw them.")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    location = models.CharField(max_length=300, blank=True, help_text="Where, in the reporter's words.")
    district = models.ForeignKey(
        "access.District", on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    description = models.TextField(max_length=2000, help_text="What they look like, where exactly, anything else.")
    reporter_is_person = models.BooleanField(default=False, help_text="The person sleeping rough reported it.")
    reporter_name = models.CharField(max_length=200, blank=True)
    reporter_email = models.EmailField(blank=True)
    reporter_phone = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default=AlertStatus.NEW)
    assigned_service = models.ForeignKey(
        "access.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts_assigned"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=AlertOutcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="alert_outcomes"
    )
    contact = models.ForeignKey(StreetContact, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts")
    reporter_told_at = models.DateTimeField(null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(fields=["area", "status", "received_at"], name="alert_queue"),
            models.Index(fields=["district", "status", "received_at"], name="alert_district_queue"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "source", "external_id"],
                condition=~Q(external_id=""),
                name="alert_external_once",
            )
        ]

    def __str__(self) -> str:
        return f"Alert {self.public_id} received {self.received_at:%Y-%m-%d %H:%M}"

    @property
    def response_time(self) -> datetime.timedelta | None:
        """How long from receiving the alert to recording its outcome."""
        return self.outcome_at - self.received_at if self.outcome_at else None


class DistrictBoundary(PublicModel):
    """A district's outline (GeoJSON polygon coordinates), to tell which district a map pin is in."""

    district = models.OneToOneField("access.District", on_delete=models.CASCADE, related_name="boundary")
    polygon = models.JSONField(help_text="[[longitude, latitude], …] around the district, first point not repeated.")
    min_lat = models.FloatField()
    max_lat = models.FloatField()
    min_lng = models.FloatField()
    max_lng = models.FloatField()

    def __str__(self) -> str:
        return f"Boundary of {self.district}"


class ComplianceScore(PublicModel):
    """One service's data-quality score for one month (CHAIN's compliance score)."""

    service = models.ForeignKey("access.Service", on_delete=models.CASCADE, related_name="compliance_scores")
    month = models.DateField(help_text="The first day of the month scored.")
    records = models.PositiveIntegerField(help_text="People and contacts the service entered, checked.")
    fields_checked = models.PositiveIntegerField()
    fields_missing = models.PositiveIntegerField()
    score = models.DecimalField(max_digits=5, decimal_places=1, help_text="Percentage of essential fields present.")
    missing = models.JSONField(default=list, help_text="[{person: id, fields: [...]}, …] for the fix-it list.")
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-month", "service"]
        constraints = [models.UniqueConstraint(fields=["service", "month"], name="compliance_once_a_month")]

    def __str__(self) -> str:
        return f"{self.service} {self.month:%Y-%m}: {self.score}%"


class EssentialField(PublicModel):
    """A field an area counts as essential for its compliance scores."""

    class Applies(models.TextChoices):
        PERSON = "person", "Person"
        CONTACT = "contact", "Street contact"

    area = models.ForeignKey("access.Area", on_delete=models.CASCADE, related_name="essential_fields")
    applies_to = models.CharField(max_length=10, choices=Applies.choices)
    field = models.CharField(max_length=50)

    class Meta:
        ordering = ["applies_to", "field"]
        constraints = [models.UniqueConstraint(fields=["area", "applies_to", "field"], name="essential_field_once")]

    def __str__(self) -> str:
        return f"{self.applies_to}.{self.field}"
