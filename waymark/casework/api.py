"""Casework API: episodes, case notes and a person's timeline.

The same rules as the pages, because the same service functions run: lists
start from `visible_to(user)`; a note's text, author and mentions are given
only when the caller may read them (`text_readable`), else null; every write
goes through `casework.services`, which checks permission and audits.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from waymark.access import rules
from waymark.access.models import Service, User
from waymark.casework import services, timeline
from waymark.casework.models import CaseNote, EndReason, Episode, NoteKind
from waymark.core.api import (
    UUID_PATTERN,
    ErrorSerializer,
    FilterSet,
    PublicIdField,
    StrictBooleanSerializerField,
    StrictCharField,
    StrictIntegerField,
    VisibleModelViewSet,
    WaymarkAutoSchema,
)
from waymark.core.errors import Conflict
from waymark.people.models import Person
from waymark.people.services import open_person

REFERENCE_MAX = 12


class Writers(permissions.BasePermission):
    """Reads for anyone signed in (what they see is filtered); writes for contributors,
    managers and, for episodes, area admins. The service functions check the particular service."""

    message = "Only a worker or manager of a service can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        ctx = rules.context_for(request.user)
        return bool(ctx.writing_service_ids) or (getattr(view, "area_admin_writes", False) and ctx.is_area_admin)


def area_users(user: Any) -> QuerySet[User]:
    ctx = rules.context_for(user)
    if ctx.area_id is None:
        return User.objects.none()
    return User.objects.filter(area_id=ctx.area_id, is_active=True)


def nullable(schema: Any) -> Any:
    """`extend_schema_field` for a method field that may be null."""
    if schema == OpenApiTypes.UUID:
        schema = {"type": "string", "format": "uuid"}
    elif schema == OpenApiTypes.STR:
        schema = {"type": "string"}
    elif schema == OpenApiTypes.DATE:
        schema = {"type": "string", "format": "date"}
    return extend_schema_field({**schema, "nullable": True})


def _stale_to_conflict(call: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except services.StaleRecord as exc:
        raise Conflict(exc.message) from exc


STALE = OpenApiResponse(ErrorSerializer, description="Someone else changed the episode since you read its version.")


# --- episodes -------------------------------------------------------------------------------


def episodes_visible_to(user: Any) -> QuerySet[Episode]:
    """Episodes of people the caller may know of, with `full_person`: whether they see the person in full."""
    return (
        Episode.objects.visible_to(user)
        .with_full_person(user)
        .select_related("person", "service__organisation", "key_worker")
    )


class ServiceContactSerializer(serializers.Serializer):
    phone = serializers.CharField(source="contact_phone")
    email = serializers.CharField(source="contact_email")


class EpisodeSerializer(serializers.ModelSerializer):
    """A service working (or who worked) with a person. For a protected person the caller
    may only know exists, only open episodes are listed and the key worker, dates and
    reasons are null: whom to contact is what they get."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    person = serializers.UUIDField(source="person.public_id", read_only=True)
    person_reference = serializers.CharField(source="person.reference", read_only=True)
    service = serializers.UUIDField(source="service.public_id", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    organisation_name = serializers.CharField(source="service.organisation.name", read_only=True)
    service_contact = ServiceContactSerializer(source="service", read_only=True)
    key_worker = serializers.SerializerMethodField()
    key_worker_name = serializers.SerializerMethodField()
    started_on = serializers.SerializerMethodField()
    start_reason = serializers.SerializerMethodField()
    end_reason = serializers.SerializerMethodField()
    end_detail = serializers.SerializerMethodField()
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Episode
        fields = [
            "id",
            "person",
            "person_reference",
            "service",
            "service_name",
            "organisation_name",
            "service_contact",
            "key_worker",
            "key_worker_name",
            "started_on",
            "start_reason",
            "ended_on",
            "end_reason",
            "end_detail",
            "is_open",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _full(self, episode: Episode) -> bool:
        return bool(getattr(episode, "full_person", False))

    @nullable(OpenApiTypes.UUID)
    def get_key_worker(self, episode: Episode) -> str | None:
        if not self._full(episode) or episode.key_worker is None:
            return None
        return str(episode.key_worker.public_id)

    @nullable(OpenApiTypes.STR)
    def get_key_worker_name(self, episode: Episode) -> str | None:
        if not self._full(episode) or episode.key_worker is None:
            return None
        return episode.key_worker.display_name

    @nullable(OpenApiTypes.DATE)
    def get_started_on(self, episode: Episode) -> str | None:
        # When a protected person came to a service is their history, not whom to contact.
        return episode.started_on.isoformat() if self._full(episode) else None

    @nullable(OpenApiTypes.STR)
    def get_start_reason(self, episode: Episode) -> str | None:
        return episode.start_reason if self._full(episode) else None

    @nullable(OpenApiTypes.STR)
    def get_end_reason(self, episode: Episode) -> str | None:
        return episode.end_reason if self._full(episode) else None

    @nullable(OpenApiTypes.STR)
    def get_end_detail(self, episode: Episode) -> str | None:
        return episode.end_detail if self._full(episode) else None


class EpisodeCreateSerializer(serializers.Serializer):
    person = PublicIdField(visible=services.open_people_for_episodes, help_text="The person's id.")
    service = PublicIdField(
        visible=services.services_to_start,
        required=False,
        help_text="The service starting work. Default: the service you act for (X-Waymark-Service).",
    )
    started_on = serializers.DateField(help_text="Today or earlier.")
    key_worker = PublicIdField(
        visible=area_users, required=False, allow_null=True, help_text="A worker or manager of the service."
    )
    reason = StrictCharField(required=False, allow_blank=True, max_length=200, default="")


class KeyWorkerSerializer(serializers.Serializer):
    key_worker = PublicIdField(
        visible=area_users, allow_null=True, help_text="A worker or manager of the service, or null for none."
    )
    version = StrictIntegerField(min_value=1, help_text="The episode's `version` you read; a stale one is a 409.")


class EndEpisodeSerializer(serializers.Serializer):
    ended_on = serializers.DateField(help_text="On or after the start date; today or earlier.")
    reason = serializers.ChoiceField(choices=EndReason.choices)
    detail = StrictCharField(
        required=False, allow_blank=True, max_length=2000, default="", help_text="Required when the reason is Other."
    )
    version = StrictIntegerField(min_value=1, help_text="The episode's `version` you read; a stale one is a 409.")


class EpisodeFilter(FilterSet):
    person = filters.UUIDFilter(field_name="person__public_id", help_text="A person's id.")
    service = filters.UUIDFilter(field_name="service__public_id", help_text="A service's id.")

    class Meta:
        model = Episode
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="Episodes of the people you may know of"),
    retrieve=extend_schema(summary="One episode"),
)
@extend_schema(tags=["casework"])
class EpisodeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VisibleModelViewSet):
    """Episodes: which services are working (and worked) with a person."""

    visible = episodes_visible_to
    serializer_class = EpisodeSerializer
    filterset_class = EpisodeFilter
    permission_classes = [permissions.IsAuthenticated, Writers]
    area_admin_writes = True

    @extend_schema(
        summary="Start a service working with a person",
        request=EpisodeCreateSerializer,
        responses={201: EpisodeSerializer},
    )
    def create(self, request: Request) -> Response:
        serializer = EpisodeCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        service = data.get("service") or getattr(request, "current_service", None)
        if service is None:
            raise ValidationError({"service": ["Give the service starting work."]})
        episode = services.start_episode(
            request.user,
            data["person"],
            service,
            started_on=data["started_on"],
            key_worker=data.get("key_worker"),
            reason=data["reason"],
        )
        return self.respond_with(episode, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change an open episode's key worker",
        request=KeyWorkerSerializer,
        responses={200: EpisodeSerializer, 409: STALE},
    )
    @action(detail=True, methods=["post"], url_path="key-worker")
    def key_worker(self, request: Request, id: str) -> Response:
        episode = self.get_object()
        serializer = KeyWorkerSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _stale_to_conflict(
            services.change_key_worker, request.user, episode, data["key_worker"], version=data["version"]
        )
        return self.respond_with(episode)

    @extend_schema(
        summary="End an open episode", request=EndEpisodeSerializer, responses={200: EpisodeSerializer, 409: STALE}
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, id: str) -> Response:
        episode = self.get_object()
        serializer = EndEpisodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _stale_to_conflict(
            services.end_episode,
            request.user,
            episode,
            ended_on=data["ended_on"],
            reason=data["reason"],
            detail=data["detail"],
            version=data["version"],
        )
        return self.respond_with(episode)


# --- case notes ---------------------------------------------------------------------------------


class NoteSerializer(serializers.ModelSerializer):
    """A case note. `body`, `author_name` and `mentions` are null unless `text_readable`:
    everyone else who may see the person learns only that a note exists, when, of what kind,
    from which service, and how to contact it."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    person = serializers.UUIDField(source="person.public_id", read_only=True)
    person_reference = serializers.CharField(source="person.reference", read_only=True)
    service = serializers.UUIDField(source="service.public_id", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    service_contact = ServiceContactSerializer(source="service", read_only=True)
    amends = serializers.SerializerMethodField()
    text_readable = serializers.BooleanField(read_only=True, help_text="Whether you may read the text.")
    body = serializers.SerializerMethodField()
    author_name = serializers.SerializerMethodField()
    mentions = serializers.SerializerMethodField()

    class Meta:
        model = CaseNote
        fields = [
            "id",
            "person",
            "person_reference",
            "service",
            "service_name",
            "service_contact",
            "kind",
            "contact_at",
            "signed_off_at",
            "private_to_service",
            "amends",
            "text_readable",
            "body",
            "author_name",
            "mentions",
        ]
        read_only_fields = fields

    @nullable(OpenApiTypes.UUID)
    def get_amends(self, note: CaseNote) -> str | None:
        return str(note.amends.public_id) if note.amends_id and note.amends else None

    @nullable(OpenApiTypes.STR)
    def get_body(self, note: CaseNote) -> str | None:
        return note.body if getattr(note, "text_readable", False) else None

    @nullable(OpenApiTypes.STR)
    def get_author_name(self, note: CaseNote) -> str | None:
        return note.author.display_name if getattr(note, "text_readable", False) else None

    @nullable(
        {"type": "array", "items": {"type": "string"}, "description": "References (WM-XXXXX) of people mentioned."}
    )
    def get_mentions(self, note: CaseNote) -> list[str] | None:
        if not getattr(note, "text_readable", False):
            return None
        return [person.reference for person in getattr(note, "visible_mentions", [])]


class NoteWriteSerializer(serializers.Serializer):
    person = PublicIdField(visible=lambda user: Person.objects.visible_to(user), help_text="The person's id.")
    contact_at = serializers.DateTimeField(help_text="When the contact happened; now or earlier.")
    kind = serializers.ChoiceField(choices=NoteKind.choices)
    body = StrictCharField(max_length=services.BODY_MAX, trim_whitespace=False)
    private_to_service = StrictBooleanSerializerField(required=False, default=False)
    mentions = serializers.ListField(
        child=StrictCharField(max_length=REFERENCE_MAX),
        required=False,
        default=list,
        max_length=services.MENTIONS_MAX,
        help_text="References (WM-XXXXX) of other people the note mentions; never their details.",
    )


class NoteAmendSerializer(serializers.Serializer):
    body = StrictCharField(max_length=services.BODY_MAX, trim_whitespace=False)
    kind = serializers.ChoiceField(choices=NoteKind.choices, required=False, help_text="Default: as the original.")
    contact_at = serializers.DateTimeField(required=False, help_text="Default: as the original.")
    private_to_service = StrictBooleanSerializerField(required=False, help_text="Default: as the original.")
    mentions = serializers.ListField(
        child=StrictCharField(max_length=REFERENCE_MAX),
        required=False,
        max_length=services.MENTIONS_MAX,
        help_text="References of people mentioned. Default: as the original.",
    )


class NoteFilter(FilterSet):
    person = filters.UUIDFilter(field_name="person__public_id", help_text="A person's id.")
    service = filters.UUIDFilter(field_name="service__public_id", help_text="The authoring service's id.")
    kind = filters.ChoiceFilter(choices=NoteKind.choices)

    class Meta:
        model = CaseNote
        fields: list[str] = []


@extend_schema(tags=["casework"])
class NoteViewSet(mixins.ListModelMixin, VisibleModelViewSet):
    """Case notes. Reads are audited, and flagged when none of your services works with the person."""

    visible = services.notes_queryset
    serializer_class = NoteSerializer
    filterset_class = NoteFilter
    permission_classes = [permissions.IsAuthenticated, Writers]
    ordering = ("-contact_at", "-id")

    @extend_schema(summary="Case notes of the people you may know of, newest contact first")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None
        services.record_notes_seen(request.user, page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="One case note (the read is audited)",
        parameters=[OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
    )
    def retrieve(self, request: Request, id: str) -> Response:
        note = self.get_object()
        services.record_notes_seen(request.user, [note], "Read a case note")
        return Response(self.get_serializer(note).data)

    @extend_schema(
        summary="Write a case note for a person your service works with (X-Waymark-Service)",
        request=NoteWriteSerializer,
        responses={201: NoteSerializer},
    )
    def create(self, request: Request) -> Response:
        serializer = NoteWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        note = services.write_note(
            request.user,
            data["person"],
            getattr(request, "current_service", None),
            contact_at=data["contact_at"],
            kind=data["kind"],
            body=data["body"],
            private_to_service=data["private_to_service"],
            mentions=data["mentions"],
        )
        return self.respond_with(note, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Amend a note: a new note linked to it; the original is kept",
        request=NoteAmendSerializer,
        responses={201: NoteSerializer},
    )
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, id: str) -> Response:
        note = self.get_object()
        serializer = NoteAmendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        amendment = services.amend_note(
            request.user,
            note,
            body=data["body"],
            kind=data.get("kind"),
            contact_at=data.get("contact_at"),
            private_to_service=data.get("private_to_service"),
            mentions=data.get("mentions"),
        )
        return self.respond_with(amendment, status.HTTP_201_CREATED)


# --- a person's timeline ---------------------------------------------------------------------------


class TimelineEntrySerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="What happened: " + ", ".join(f"`{k}`" for k in timeline.kinds()) + ".")
    kind_label = serializers.CharField()
    at = serializers.DateTimeField(help_text="When it happened (midnight in London for a date).")
    all_day = serializers.BooleanField(help_text="The entry has a date, not a time.")
    service = serializers.UUIDField(source="service.public_id")
    service_name = serializers.CharField(source="service.name")
    title = serializers.CharField()
    note = serializers.SerializerMethodField()
    episode = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField(help_text="The street contact, for a `contact` entry.")

    @nullable(OpenApiTypes.UUID)
    def get_note(self, entry: timeline.Entry) -> str | None:
        return str(entry.obj.public_id) if isinstance(entry.obj, CaseNote) else None

    @nullable(OpenApiTypes.UUID)
    def get_contact(self, entry: timeline.Entry) -> str | None:
        from waymark.outreach.models import StreetContact

        return str(entry.obj.public_id) if isinstance(entry.obj, StreetContact) else None

    @nullable(OpenApiTypes.UUID)
    def get_episode(self, entry: timeline.Entry) -> str | None:
        return str(entry.obj.public_id) if isinstance(entry.obj, Episode) else None


class TimelinePageSerializer(serializers.Serializer):
    next = serializers.CharField(
        allow_null=True, help_text="The cursor of the next (older) page, to send as `cursor`; null at the end."
    )
    results = TimelineEntrySerializer(many=True)


class _OnePageSchema(WaymarkAutoSchema):
    """The timeline's list answers with one page object, not an array."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


@extend_schema(tags=["casework"])
class TimelineViewSet(VisibleModelViewSet):
    """A person's latest activity: notes (that they exist), episodes started and ended."""

    visible = staticmethod(lambda user: Person.objects.visible_to(user))
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None
    serializer_class = TimelinePageSerializer
    schema = _OnePageSchema()

    @extend_schema(
        summary="A person's activity, newest first (opening it is audited)",
        parameters=[
            OpenApiParameter("person_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The person's id."),
            OpenApiParameter("kind", {"type": "string", "enum": list(timeline.kinds())}, description="One kind."),
            OpenApiParameter("service", OpenApiTypes.UUID, description="Only this service's activity."),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="The previous page's `next`."),
        ],
        responses=TimelinePageSerializer,
    )
    def list(self, request: Request, person_id: str) -> Response:
        kind = request.query_params.get("kind", "")
        if kind and kind not in timeline.kinds():
            raise ValidationError({"kind": [f"Choose one of: {', '.join(timeline.kinds())}."]})
        service = None
        if "service" in request.query_params:
            try:
                service_id = UUID(request.query_params["service"])
            except ValueError as exc:
                raise ValidationError({"service": ["Give a service's id."]}) from exc
            service = Service.objects.filter(public_id=service_id).first()
            if service is None:
                raise ValidationError({"service": ["No service with this id."]})
        view = open_person(request.user, person_id)
        try:
            page = services.timeline_for(request.user, view, kind, service, request.query_params.get("cursor"))
        except DjangoValidationError as exc:
            # As for the other lists: a cursor that is not ours is a 404.
            raise Http404("No such page") from exc
        return Response(TimelinePageSerializer({"next": page.next_cursor, "results": page.entries}).data)


def register(router: Any) -> None:
    """Add this app's viewsets to the API router."""
    router.register("episodes", EpisodeViewSet, basename="episode")
    router.register("notes", NoteViewSet, basename="note")
    router.register(rf"people/(?P<person_id>{UUID_PATTERN})/timeline", TimelineViewSet, basename="person-timeline")
