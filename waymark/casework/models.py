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
