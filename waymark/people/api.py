"""People over the API, through the access model: list, search, open, the
duplicate check, register and edit.

A list shows each person as the caller may see them; opening one is audited
(`people.services.open_person`). A protected record the caller may only know
exists comes back as its reference, its restriction and whom to contact:
never a name, a date of birth or a description; in the duplicate check, not
even its reference. Writes go through `people.services`.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from waymark.access import rules
from waymark.access.constants import Restriction
from waymark.access.models import District
from waymark.casework.models import Episode
from waymark.core.api import (
    ErrorSerializer,
    PublicIdField,
    StrictBooleanSerializerField,
    StrictCharField,
    StrictEmailField,
    StrictIntegerField,
    VisibleModelViewSet,
)
from waymark.core.errors import Conflict
from waymark.people import services
from waymark.people.matching import MATCH_THRESHOLD, Candidate
from waymark.people.models import BirthDatePrecision, ImmigrationStatus, Person
from waymark.people.services import open_person, people_for

QUERY_MAX = 200


# Patterns, not enums: drf-spectacular would pull one-value enums named "visibility"
# out as components that collide with each other.
@extend_schema_field({"type": "string", "pattern": "^full$", "description": "You may see the shared record."})
class FullVisibilityField(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return "full"


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^exists$",
        "description": "The record is protected: you may know it exists and whom to contact, nothing more.",
    }
)
class ExistsVisibilityField(FullVisibilityField):
    def to_representation(self, value: Any) -> str:
        return "exists"


class ContactSerializer(serializers.Serializer):
    """A service to contact about a person: one working with them, else the one that registered them."""

    service = serializers.UUIDField(source="public_id")
    service_name = serializers.CharField(source="name")
    organisation_name = serializers.CharField(source="organisation.name")
    phone = serializers.CharField(source="contact_phone")
    email = serializers.CharField(source="contact_email")


class _Contacts(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, person: Person) -> Any:
        contacts = self.context.get("contacts", {}).get(person.pk) or [person.registered_by_service]
        return ContactSerializer(contacts, many=True).data


ContactsField = extend_schema_field(ContactSerializer(many=True))(_Contacts)


class PersonLimitedSerializer(serializers.Serializer):
    """A protected person the caller may know exists: reference, restriction, whom to contact."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    reference = serializers.CharField(read_only=True)
    visibility = ExistsVisibilityField()
    restriction = serializers.ChoiceField(choices=Restriction.choices, read_only=True)
    contacts = ContactsField(help_text="Services to contact if you need to work with this person.")


class PersonSerializer(serializers.ModelSerializer):
    """A person's shared record, for callers who may see it in full."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    visibility = FullVisibilityField()
    display_name = serializers.CharField(read_only=True)
    registered_by_service = serializers.UUIDField(source="registered_by_service.public_id", read_only=True)
    registered_by_service_name = serializers.CharField(source="registered_by_service.name", read_only=True)
    contacts = ContactsField(help_text="Services working with this person now (else the one that registered them).")
    email = serializers.CharField(read_only=True, help_text="An email address, or empty.")

    class Meta:
        model = Person
        fields = [
            "id",
            "reference",
            "visibility",
            "restriction",
            "first_name",
            "last_name",
            "known_as",
            "display_name",
            "description",
            "date_of_birth",
            "birth_date_precision",
            "estimated_age",
            "age_estimated_on",
            "gender",
            "pronouns",
            "nationality",
            "immigration_status",
            "no_recourse_to_public_funds",
            "languages",
            "interpreter_needed",
            "phone",
            "email",
            "safe_contact",
            "last_settled_address",
            "registered_by_service",
            "registered_by_service_name",
            "contacts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OtherNameSerializer(serializers.Serializer):
    """Another name the person has used."""

    first_name = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    last_name = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    note = StrictCharField(max_length=200, required=False, allow_blank=True, default="")


class PersonDetailSerializer(PersonSerializer):
    """A person's shared record in full, with other names, local connection and the version to edit against."""

    version = serializers.IntegerField(read_only=True, help_text="Send it back with a change (PATCH).")
    local_connection = serializers.UUIDField(source="local_connection.public_id", read_only=True, allow_null=True)
    local_connection_name = serializers.CharField(source="local_connection.name", read_only=True, allow_null=True)
    other_names = OtherNameSerializer(many=True, read_only=True)

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "local_connection", "local_connection_name", "other_names", "version"]
        read_only_fields = fields


class PersonFoundSerializer(PersonSerializer):
    """A search result seen in full: what tells people apart and whom to contact.

    Contact details, immigration status and the like stay on the record itself
    (`/people/{id}/`), whose read is audited; a search lists many people at once.
    """

    score = serializers.FloatField(
        source="search_score", read_only=True, help_text="How well they fit the search text, 0 to 1."
    )

    class Meta(PersonSerializer.Meta):
        fields = [
            "id",
            "reference",
            "visibility",
            "restriction",
            "first_name",
            "last_name",
            "known_as",
            "display_name",
            "date_of_birth",
            "birth_date_precision",
            "estimated_age",
            "gender",
            "registered_by_service",
            "registered_by_service_name",
            "contacts",
            "score",
        ]
        read_only_fields = fields


PERSON_RESPONSE = PolymorphicProxySerializer(
    component_name="PersonOpened",
    serializers=[PersonDetailSerializer, PersonLimitedSerializer],
    resource_type_field_name=None,
)
PEOPLE_RESPONSE = PolymorphicProxySerializer(
    component_name="PersonAsSeen",
    serializers=[PersonSerializer, PersonLimitedSerializer],
    resource_type_field_name=None,
    many=True,
)
FOUND_RESPONSE = PolymorphicProxySerializer(
    component_name="PersonFoundAsSeen",
    serializers=[PersonFoundSerializer, PersonLimitedSerializer],
    resource_type_field_name=None,
    many=True,
)


def _serialize(
    people: list[tuple[Person, bool]], context: dict[str, Any], full_class: type[PersonSerializer] = PersonSerializer
) -> list[dict[str, Any]]:
    """Each person in full or limited form. One serializer of each kind serves every row:
    building a ModelSerializer's fields costs far more than using them."""
    full, limited = full_class(context=context), PersonLimitedSerializer(context=context)
    return [(full if is_full else limited).to_representation(person) for person, is_full in people]


def contacts_for(people: list[Person]) -> dict[int, list[Any]]:
    """Services working with each person, in one query. `people` come from `visible_to`."""
    contacts: dict[int, list[Any]] = defaultdict(list)
    episodes = (
        Episode.objects.of_opened_people(people)
        .open()
        .select_related("service__organisation")
        .order_by("started_on", "id")
    )
    for episode in episodes:
        contacts[episode.person_id].append(episode.service)
    return contacts


# --- writing ------------------------------------------------------------------------------


class _DistrictField(PublicIdField):
    def get_queryset(self) -> QuerySet:
        return District.objects.filter(area_id=rules.context_for(self.context["request"].user).area_id)


DOB_HELP = (
    "Date of birth, as much as is known: 1980-05-12, 1980-05 (month and year) or 1980 (year only). "
    "Leave out, or null, if not known; give `estimated_age` instead if they will not say."
)


class PersonWriteSerializer(serializers.Serializer):
    """A person's details as sent to register or change them. Every field is optional."""

    first_name = StrictCharField(max_length=200, required=False, allow_blank=True)
    last_name = StrictCharField(max_length=200, required=False, allow_blank=True)
    known_as = StrictCharField(max_length=200, required=False, allow_blank=True)
    description = StrictCharField(max_length=1000, required=False, allow_blank=True)
    date_of_birth = StrictCharField(max_length=10, required=False, allow_null=True, help_text=DOB_HELP)
    estimated_age = StrictIntegerField(min_value=0, max_value=120, required=False, allow_null=True)
    age_estimated_on = serializers.DateField(
        required=False, allow_null=True, help_text="When the age was estimated; today if left out."
    )
    gender = StrictCharField(max_length=100, required=False, allow_blank=True, help_text="As they describe it.")
    pronouns = StrictCharField(max_length=50, required=False, allow_blank=True)
    nationality = StrictCharField(max_length=100, required=False, allow_blank=True)
    immigration_status = serializers.ChoiceField(choices=ImmigrationStatus.choices, required=False, allow_blank=True)
    no_recourse_to_public_funds = StrictBooleanSerializerField(
        required=False, allow_null=True, help_text="null: not known."
    )
    languages = StrictCharField(max_length=200, required=False, allow_blank=True)
    interpreter_needed = StrictBooleanSerializerField(required=False)
    phone = StrictCharField(max_length=40, required=False, allow_blank=True)
    email = StrictEmailField(max_length=254, required=False, allow_blank=True)
    safe_contact = StrictCharField(max_length=2000, required=False, allow_blank=True)
    last_settled_address = StrictCharField(max_length=2000, required=False, allow_blank=True)
    local_connection = _DistrictField(required=False, allow_null=True, help_text="A district of your area, by id.")
    other_names = OtherNameSerializer(
        many=True, required=False, max_length=services.OTHER_NAMES_MAX, help_text="Replaces the list when given."
    )

    def details(self) -> tuple[dict[str, Any], list[dict[str, str]] | None]:
        """The details for `people.services`, and the other names (None when not sent)."""
        data = dict(self.validated_data)
        other_names = data.pop("other_names", None)
        for name in ("confirmed_no_match", "candidates_seen", "start_episode", "version"):
            data.pop(name, None)
        if "date_of_birth" in data or "estimated_age" in data:
            text, age = data.pop("date_of_birth", None), data.get("estimated_age")
            if text and age is not None:
                raise ValidationError({"estimated_age": ["Give a date of birth or an estimated age, not both."]})
            if text:
                try:
                    value, precision = services.parse_date_of_birth(text)
                except DjangoValidationError as exc:
                    raise ValidationError({"date_of_birth": exc.messages}) from exc
                data.update(date_of_birth=value, birth_date_precision=precision)
            elif age is not None:
                data.update(date_of_birth=None, birth_date_precision=BirthDatePrecision.ESTIMATED)
            else:
                data.update(date_of_birth=None, birth_date_precision=BirthDatePrecision.UNKNOWN)
        elif "age_estimated_on" in data:
            raise ValidationError({"age_estimated_on": ["Send it with `estimated_age`."]})
        return data, other_names


class RegisterSerializer(PersonWriteSerializer):
    """A person to register. Only a name (first, last or known-as) or a description is required."""

    confirmed_no_match = StrictBooleanSerializerField(
        required=False,
        default=False,
        help_text="True once you have checked the possible matches (POST /api/v1/people/match/) "
        "and none is this person. Without it, registering someone with possible matches is refused (400).",
    )
    candidates_seen = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=20,
        help_text="Ids of the candidates you checked. When given, a candidate not among them is refused (400).",
    )
    start_episode = StrictBooleanSerializerField(
        required=False,
        default=True,
        help_text="Start your service working with them now (always, for a record your service registers as "
        "protected or hidden, which it could not otherwise see).",
    )


class UpdateSerializer(PersonWriteSerializer):
    """Changes to a person's details, with the version they were read at."""

    version = StrictIntegerField(
        min_value=1, help_text="The record's `version` when you read it; a stale one is refused with 409."
    )


class MatchRequestSerializer(serializers.Serializer):
    """What is known so far about the person being registered or imported."""

    first_name = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    last_name = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    known_as = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    other_names = OtherNameSerializer(many=True, required=False, max_length=services.OTHER_NAMES_MAX, default=list)
    date_of_birth = StrictCharField(max_length=10, required=False, allow_null=True, help_text=DOB_HELP)
    estimated_age = StrictIntegerField(min_value=0, max_value=120, required=False, allow_null=True)
    age_estimated_on = serializers.DateField(required=False, allow_null=True)
    gender = StrictCharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="As they describe it. Recorded on both sides and different, it counts against a match.",
    )
    nationality = StrictCharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="Recorded on both sides and different, it counts against a match.",
    )
    limit = StrictIntegerField(min_value=1, max_value=20, required=False, default=5)

    def query(self) -> Any:
        data = dict(self.validated_data)
        text, age = data.pop("date_of_birth", None), data.get("estimated_age")
        if text:
            try:
                data["date_of_birth"], data["birth_date_precision"] = services.parse_date_of_birth(text)
            except DjangoValidationError as exc:
                raise ValidationError({"date_of_birth": exc.messages}) from exc
        elif age is not None:
            data["birth_date_precision"] = BirthDatePrecision.ESTIMATED
        query = services.match_query_from(data, data.get("other_names") or [])
        if not query.has_name and not query.birth.known:
            raise ValidationError({"non_field_errors": ["Give at least a name or a date of birth to check."]})
        return query


class CandidatePersonSerializer(serializers.Serializer):
    """A possible match seen in full."""

    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    display_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    birth_date_precision = serializers.ChoiceField(choices=BirthDatePrecision.choices)
    estimated_age = serializers.IntegerField(allow_null=True)
    registered_by_service_name = serializers.CharField(source="registered_by_service.name")


@extend_schema_field(
    {
        "type": "string",
        # A pattern, not an enum, as for the person's visibility (see FullVisibilityField).
        "pattern": "^(full|exists)$",
        "description": "`full`: you may see the record; `exists`: it is protected, ask the contacts.",
    }
)
class CandidateVisibilityField(serializers.CharField):
    pass


class CandidateSerializer(serializers.Serializer):
    """One possible existing record. For a protected record you may only know exists,
    `person` is null, `reasons` empty, and `contacts` says whom to ask."""

    visibility = CandidateVisibilityField()
    score = serializers.FloatField(
        min_value=0, max_value=1, allow_null=True, help_text="How well it matches, 0 to 1; null for a protected record."
    )
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why it matches, in words.")
    person = CandidatePersonSerializer(allow_null=True)
    contacts = ContactSerializer(many=True, help_text="For a protected record: the services to contact.")


class MatchResponseSerializer(serializers.Serializer):
    """Possible existing records, best first."""

    threshold = serializers.FloatField(help_text="The score from which candidates are shown.")
    candidates = CandidateSerializer(many=True)


def _candidate(candidate: Candidate) -> dict[str, Any]:
    full = candidate.is_full
    return {
        "visibility": "full" if full else "exists",
        "score": candidate.score,
        "reasons": candidate.reasons if full else [],
        "person": CandidatePersonSerializer(candidate.person).data if full else None,
        "contacts": [] if full else ContactSerializer(candidate.contacts, many=True).data,
    }


class PeopleWrites(permissions.BasePermission):
    """Reading for anyone signed in (the access model decides what); registering and
    editing for workers and managers. The service functions check the acting service."""

    message = "Only a worker or manager of a service can register or change a person."

    def has_permission(self, request: Request, view: Any) -> bool:
        # The duplicate check is part of registering, so it is for writers too.
        if request.method in permissions.SAFE_METHODS:
            return True
        if getattr(view, "action", None) is None:
            return True  # a method this route does not have: DRF answers 405
        return bool(rules.context_for(request.user).writing_service_ids)


class SearchPageSerializer(serializers.Serializer):
    """A page of search results, best first."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = FOUND_RESPONSE


SEARCH_PAGE_SIZE = services.SEARCH_PAGE_SIZE


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o={offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not text.startswith("o="):
            raise ValueError(text)
        offset = int(text[2:])
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise NotFound("Invalid cursor") from exc
    if offset < 0 or offset > 100_000:
        raise NotFound("Invalid cursor")
    return offset


@extend_schema(tags=["people"])
class PersonViewSet(VisibleModelViewSet):
    """People the caller may know of; the duplicate check; registering and editing."""

    visible = people_for
    ordering = ("-created_at", "-id")
    permission_classes = [permissions.IsAuthenticated, PeopleWrites]

    def get_queryset(self) -> QuerySet[Person]:
        return people_for(self.request.user, self._query()).select_related("registered_by_service__organisation")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return {
            "create": RegisterSerializer,
            "partial_update": UpdateSerializer,
            "match": MatchRequestSerializer,
        }.get(self.action, PersonSerializer)

    def _query(self) -> str:
        query = self.request.query_params.get("q", "")
        if "\x00" in query:
            raise ValidationError({"q": ["Search text cannot contain null characters."]})
        if len(query) > QUERY_MAX:
            raise ValidationError({"q": [f"Search for at most {QUERY_MAX} characters."]})
        return query

    def _opened(self, person: Person, status_code: int = status.HTTP_200_OK) -> Response:
        """The person as the caller now sees it, read back through the access model."""
        fresh = (
            Person.objects.visible_to(self.request.user)
            .with_full_access(self.request.user)
            .select_related("registered_by_service__organisation", "local_connection")
            .prefetch_related("other_names")
            .filter(pk=person.pk)
            .first()
        )
        if fresh is None:  # e.g. registered as hidden without starting an episode
            raise NotFound()
        context = {**self.get_serializer_context(), "contacts": contacts_for([fresh])}
        row = _serialize([(fresh, fresh.full_access)], context, PersonDetailSerializer)[0]  # type: ignore[attr-defined]
        return Response(row, status=status_code)

    @extend_schema(
        summary="People you may know of, newest first",
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": QUERY_MAX},
                description="Part of a name, or a whole reference such as WM-7K3Q9. "
                "Protected records are found by their reference only. For ranked fuzzy search use /search/.",
            )
        ],
        responses=PEOPLE_RESPONSE,
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None
        context = {**self.get_serializer_context(), "contacts": contacts_for(page)}
        # `full_access` is annotated by people_for: whether the caller may see who this is.
        rows = _serialize([(p, p.full_access) for p in page], context)  # type: ignore[attr-defined]
        return self.get_paginated_response(rows)

    @extend_schema(
        summary="One person as you may see them (the read is audited)",
        parameters=[OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses=PERSON_RESPONSE,
    )
    def retrieve(self, request: Request, id: str) -> Response:
        view = open_person(request.user, id)
        person = view.person
        context = {**self.get_serializer_context(), "contacts": contacts_for([person])}
        return Response(_serialize([(person, view.is_full)], context, PersonDetailSerializer)[0])

    @extend_schema(
        summary="Register a person (after the duplicate check)",
        description="Acts for your current service (header `X-Waymark-Service`). The duplicate check runs again; "
        "if it finds possible existing records and `confirmed_no_match` is not true, nothing is saved (400). "
        "The answer is audited.",
        request=RegisterSerializer,
        responses={201: PersonDetailSerializer},
    )
    def create(self, request: Request) -> Response:
        serializer = RegisterSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data, other_names = serializer.details()
        seen = serializer.validated_data.get("candidates_seen")
        decision = services.MatchDecision(
            confirmed_none=serializer.validated_data["confirmed_no_match"],
            seen=frozenset(str(s) for s in seen) if seen is not None else None,
        )
        try:
            person = services.register_person(
                request.user,
                getattr(request, "current_service", None),
                data,
                other_names or [],
                decision,
                start_episode=serializer.validated_data["start_episode"],
            )
        except services.PossibleDuplicates as exc:
            raise ValidationError(
                {
                    "confirmed_no_match": [
                        f"{len(exc.candidates)} possible existing records were found. Check them with "
                        "POST /api/v1/people/match/ and send confirmed_no_match: true if none is this person."
                    ]
                }
            ) from exc
        return self._opened(person, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a person's details",
        description="Only workers and managers who see the record in full. Send the `version` you read; "
        "if someone changed the record since, nothing is saved (409).",
        parameters=[OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        request=UpdateSerializer,
        responses={
            200: PersonDetailSerializer,
            409: OpenApiResponse(ErrorSerializer, description="Someone else changed the record; read it again."),
        },
    )
    def partial_update(self, request: Request, id: str) -> Response:
        try:
            person = services.editable_person(request.user, id)
        except DjangoValidationError as exc:
            raise NotFound() from exc
        serializer = UpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data, other_names = serializer.details()
        try:
            person = services.update_person(
                request.user,
                person,
                data,
                serializer.validated_data["version"],
                other_names=other_names,
                service=getattr(request, "current_service", None),
            )
        except services.StaleVersion as exc:
            raise Conflict(exc.message) from exc
        return self._opened(person)

    @extend_schema(
        summary="The duplicate check: possible existing records of a person",
        description="Candidates at or above the threshold, best first, among the records you may know exist. "
        "A protected record shows only whom to contact; hidden records never appear. Not audited.",
        request=MatchRequestSerializer,
        responses={200: MatchResponseSerializer},
    )
    @action(detail=False, methods=["post"])
    def match(self, request: Request) -> Response:
        if rules.context_for(request.user).is_analyst_only:
            raise PermissionDenied("Analysts see aggregate reports only.")
        serializer = MatchRequestSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        candidates = services.check_for_duplicates(
            request.user, serializer.query(), limit=serializer.validated_data["limit"]
        )
        return Response({"threshold": MATCH_THRESHOLD, "candidates": [_candidate(c) for c in candidates]})

    @extend_schema(
        summary="Search people by name, reference or date of birth, best match first",
        description="Fuzzy: typos, nicknames and names that sound alike are found. Dates as 12/05/1980, "
        "1980-05-12, 05/1980 or 1980. Records you see in full are found by name and date of birth; "
        "a protected record only by its exact reference. Each result carries what tells people apart and "
        "whom to contact; open `/people/{id}/` for the whole record (that read is audited).",
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": QUERY_MAX, "minLength": 1},
                required=True,
                description="For example `Dan Moss`, `Bob Smith 1980`, `12/05/1980` or `WM-7K3Q9`.",
            ),
            OpenApiParameter("cursor", str, description="The `next` or `previous` link's cursor, as given."),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": 200},
                description=f"Results a page ({SEARCH_PAGE_SIZE}).",
            ),
        ],
        responses={
            200: SearchPageSerializer,
            400: OpenApiResponse(ErrorSerializer, description="No search text, or too long."),
            404: OpenApiResponse(ErrorSerializer, description="The cursor is not one we gave."),
        },
    )
    @action(detail=False, methods=["get"])
    def search(self, request: Request) -> Response:
        text = self._query().strip()
        if not text:
            raise ValidationError({"q": ["Give a name, reference or date of birth to search for."]})
        size = SEARCH_PAGE_SIZE
        if self.paginator and self.paginator.page_size_query_param in request.query_params:  # type: ignore[attr-defined]
            size = self.paginator.get_page_size(request)  # type: ignore[attr-defined]
        offset = _offset(request.query_params.get("cursor"))
        people = services.search_people(request.user, text).people
        page = people[offset : offset + size]
        url = request.build_absolute_uri()
        next_url = replace_query_param(url, "cursor", _cursor(offset + size)) if offset + size < len(people) else None
        previous_url = None
        if offset > 0:
            previous = max(0, offset - size)
            previous_url = (
                replace_query_param(url, "cursor", _cursor(previous)) if previous else remove_query_param(url, "cursor")
            )
        context = {**self.get_serializer_context(), "contacts": contacts_for(page)}
        rows = _serialize([(p, p.full_access) for p in page], context, PersonFoundSerializer)
        return Response({"next": next_url, "previous": previous_url, "results": rows})


def register(router: Any) -> None:
    """Add this app's viewsets to the API router."""
    router.register("people", PersonViewSet, basename="person")
