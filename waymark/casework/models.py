"""Episodes: a service working with a person. An open episode is what
"working with" means throughout the access model."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from waymark.casework.querysets import CaseNoteQuerySet, EpisodeQuerySet
from waymark.core.models import PublicModel, VersionedModel


class Episode(VersionedModel):
    """A period in which one service works with one person."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="episodes")
    service = models.ForeignKey("access.Service", on_delete=models.PROTECT, related_name="episodes")
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="key_episodes"
    )
    started_on = models.DateField()
    start_reason = models.CharField(max_length=200, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    end_detail = models.TextField(blank=True, help_text="Anything more about why it ended.")
    # Closing (issue 6): the service's summary and the person's own words, kept with the episode.
    closing_summary = models.TextField(blank=True)
    person_statement = models.TextField(blank=True, help_text="The person's own words, as they said them.")
    disengagement_reason = models.CharField(max_length=40, blank=True)
    # When the referral that led to this episode was made; engagement counts from it.
    referred_on = models.DateField(null=True, blank=True)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [
            models.Index(fields=["service", "person"], name="episode_service_person"),
            models.Index(fields=["person", "service"], condition=Q(ended_on__isnull=True), name="episode_open"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "service"], condition=Q(ended_on__isnull=True), name="episode_one_open_per_service"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} with {self.person_id} from {self.started_on}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class EndReason(models.TextChoices):
    """Why an episode ended. Stored as the label, so reports read plainly."""

    OWN_TENANCY = "Moved into own tenancy", "Moved into own tenancy"
    SUPPORTED_HOUSING = "Moved to supported housing", "Moved to supported housing"
    LOST_CONTACT = "Lost contact", "Lost contact"
    EVICTED = "Evicted", "Evicted"
    MOVED_AWAY = "Moved out of the area", "Moved out of the area"
    FAMILY = "Reconnected with family", "Reconnected with family"
    HOSPITAL = "Admitted to hospital", "Admitted to hospital"
    PRISON = "Went to prison", "Went to prison"
    NOT_NEEDED = "Support no longer needed", "Support no longer needed"
    DIED = "Died", "Died"
    OTHER = "Other", "Other"


class NoteKind(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    AGENCY_MEETING = "agency_meeting", "Meeting with another agency"
    ATTEMPTED = "attempted", "Attempted contact"


class CaseNote(PublicModel):
    """A signed-off note of contact with a person. Never edited in place.

    A correction is a new note whose `amends` points at the one it corrects;
    both stay readable. Who may read the text is decided in `access.rules`.
    """

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="case_notes")
    service = models.ForeignKey("access.Service", on_delete=models.PROTECT, related_name="case_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_notes")
    contact_at = models.DateTimeField(help_text="When the contact happened.")
    kind = models.CharField(max_length=20, choices=NoteKind.choices)
    body = models.TextField()
    private_to_service = models.BooleanField(default=False)
    signed_off_at = models.DateTimeField()
    amends = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="amendments")
    # Other people the note mentions, by reference only: never their details.
    mentions = models.ManyToManyField("people.Person", blank=True, related_name="mentioned_in")

    objects = CaseNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-contact_at", "-id"]
        indexes = [
            models.Index(fields=["person", "-contact_at", "-id"], name="note_person_newest"),
            models.Index(fields=["service", "-contact_at"], name="note_service_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} note for {self.person_id} at {self.contact_at:%Y-%m-%d %H:%M}"


# --- consent to share ---------------------------------------------------------------------------


class ConsentScope(models.TextChoices):
    """What a person agreed their information may be shared for."""

    SHARED_RECORD = "shared_record", "Keeping a shared record seen by services in the area"
    REFERRALS = "referrals", "Referrals to other services"
    CASE_CONFERENCES = "case_conferences", "Discussion at case conferences (MDT)"
    HEALTH = "health", "Sharing with health services"
    HOUSING = "housing", "Sharing with the council's housing team"


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Verbally"
    WRITTEN = "written", "In writing"


class Consent(VersionedModel):
    """A person's consent to share information: what it covers, how and when given, and any withdrawal.

    Never deleted: a withdrawal is recorded on it, and consent given again later is a new row.
    """

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="consents")
    service = models.ForeignKey("access.Service", on_delete=models.PROTECT, related_name="consents")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    covers = models.JSONField(default=list, help_text="ConsentScope codes.")
    method = models.CharField(max_length=10, choices=ConsentMethod.choices)
    given_on = models.DateField()
    notes = models.TextField(blank=True)
    last_confirmed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["person", "-given_on"], name="consent_person_newest")]

    def __str__(self) -> str:
        return f"Consent of {self.person_id} given {self.given_on}"

    @property
    def is_current(self) -> bool:
        return self.withdrawn_on is None


class ConsentConfirmation(PublicModel):
    """Consent re-confirmed with the person before a referral or a share."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="confirmations")
    service = models.ForeignKey("access.Service", on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=200, help_text="What it was confirmed for, e.g. a referral to a hostel.")
    confirmed_at = models.DateTimeField()

    class Meta:
        ordering = ["-confirmed_at", "-id"]


# --- contact attempts and appointments ----------------------------------------------------------


class AttemptMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    LETTER = "letter", "Letter"
    HOME_VISIT = "home_visit", "Home visit"
    IN_PERSON = "in_person", "In person"


class AttemptOutcome(models.TextChoices):
    REACHED = "reached", "Reached them"
    NO_ANSWER = "no_answer", "No answer"
    LEFT_MESSAGE = "left_message", "Left a message"
    NOT_IN = "not_in", "Not in"
    WRONG_DETAILS = "wrong_details", "Wrong number or address"
    DECLINED = "declined", "They did not want contact"
    SENT = "sent", "Sent (no reply expected)"


class ContactAttempt(PublicModel):
    """An attempt to reach a person, successful or not. A text reminder of an appointment is one too."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="contact_attempts")
    service = models.ForeignKey("access.Service", on_delete=models.PROTECT, related_name="contact_attempts")
    episode = models.ForeignKey(Episode, on_delete=models.SET_NULL, null=True, blank=True, related_name="attempts")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attempted_at = models.DateTimeField()
    method = models.CharField(max_length=20, choices=AttemptMethod.choices)
    outcome = models.CharField(max_length=20, choices=AttemptOutcome.choices)
    is_reminder = models.BooleanField(default=False, help_text="A reminder of an appointment.")
    appointment = models.ForeignKey(
        "casework.Appointment", on_delete=models.SET_NULL, null=True, blank=True, related_name="reminders"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        indexes = [
            models.Index(fields=["person", "-attempted_at"], name="attempt_person_newest"),
            models.Index(fields=["service", "-attempted_at"], name="attempt_service_newest"),
        ]


class VenueType(models.TextChoices):
    OFFICE = "office", "Office"
    COMMUNITY = "community", "Community venue"
    HOME = "home", "Their home"
    STREET = "street", "Street"
    OTHER = "other", "Other"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    ATTENDED = "attended", "Attended"
    CANCELLED_BY_PERSON = "cancelled_by_person", "Cancelled by the person"
    CANCELLED_BY_SERVICE = "cancelled_by_service", "Cancelled by the service"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"


class Appointment(VersionedModel):
    """A meeting arranged with a person: when, where, with whom, and whether it happened."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="appointments")
    service = models.ForeignKey("access.Service", on_delete=models.PROTECT, related_name="appointments")
    episode = models.ForeignKey(Episode, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointments")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments")
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    venue_type = models.CharField(max_length=20, choices=VenueType.choices)
    venue = models.CharField(max_length=200, blank=True, help_text="Where exactly, e.g. the Wellbeing Hub, room 2.")
    purpose = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=30, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    status_note = models.TextField(blank=True)
    remind_by = models.CharField(max_length=20, choices=AttemptMethod.choices, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["worker", "starts_at"], name="appointment_worker_diary"),
            models.Index(fields=["person", "starts_at"], name="appointment_person"),
            models.Index(fields=["service", "starts_at"], name="appointment_service"),
        ]


# --- caseloads ----------------------------------------------------------------------------------


class CaseloadDecision(PublicModel):
    """A manager's decision to give a worker more people than the service's caseload limit, and why."""

    service = models.ForeignKey("access.Service", on_delete=models.PROTECT, related_name="caseload_decisions")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="caseload_decisions")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    caseload = models.PositiveIntegerField(help_text="The worker's caseload before this person.")
    limit = models.PositiveIntegerField()

    class Meta:
        ordering = ["-created_at", "-id"]
