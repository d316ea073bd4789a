"""The administration objects over the API: read for members of the area, write for admins.

Every write calls a function in `access/services.py`, which checks permission,
validates and audits; these viewsets only translate JSON to and from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from waymark.access import rules, services
from waymark.access.constants import Role, ServiceKind
from waymark.access.models import ApiToken, District, Membership, Organisation, Service, SharingAgreement, User
from waymark.core.api import (
    BooleanFilter,
    CreateWithService,
    FilterSet,
    ManagersWrite,
    ModelSerializer,
    PublicIdField,
    ReadOnlyViewSet,
    StrictCharField,
    StrictIntegerField,
    UpdateWithService,
)

SEARCH_MAX = 200


class TokenScheme(OpenApiAuthenticationExtension):
    """Tells the schema how to send a personal API token."""

    target_class = "waymark.access.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "A personal API token, sent as `Authorization: Token <key>`. Create one at /api/v1/tokens/ "
                "(the key is shown once). Send `X-Waymark-Service: <service id>` to act for one of your "
                "services other than your first."
            ),
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    """The browser's session: for the docs page and the app's own pages, after MFA."""

    target_class = "waymark.access.authentication.VerifiedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "Signed in to Waymark in the browser (with the second factor). "
            "Unsafe methods also need the CSRF token.",
        }


def area_users(user: Any) -> QuerySet[User]:
    """Users a membership may be given to: those of the caller's area (the service function checks the rest)."""
    ctx = rules.context_for(user)
    if ctx.area_id is None:
        return User.objects.none()
    return User.objects.filter(area_id=ctx.area_id)


def summaries(**by_action: str) -> Callable[[type], type]:
    """`extend_schema_view` giving each action of a viewset its summary."""
    return extend_schema_view(**{name: extend_schema(summary=text) for name, text in by_action.items()})


# A record by its public id: integer keys never leave the server. No docstring, so that the
# schema keeps describing each serializer as before (drf-spectacular takes the nearest one).
class PublicIdSerializer(ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)


class AdminObjectViewSet(CreateWithService, UpdateWithService, ReadOnlyViewSet):
    """Read by the members of the area; added and changed by area admins through `save_with`."""

    # A services.save_* function of (user, data, instance=None): checks permission, saves and audits.
    save_with: ClassVar[Callable[..., Any] | None] = None

    def save(self, data: dict[str, Any], instance: Any = None) -> Any:
        save_with = type(self).save_with
        assert save_with is not None, f"{type(self).__name__} must set `save_with`"
        return save_with(self.request.user, data, instance)


def _search(field_names: list[str]) -> Any:
    def method(queryset: QuerySet, name: str, value: str) -> QuerySet:
        query = Q()
        for field in field_names:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query)

    return method


# --- organisations ----------------------------------------------------------------------


class OrganisationSerializer(PublicIdSerializer):
    has_current_agreement = serializers.BooleanField(
        read_only=True, help_text="Whether its information sharing agreement is in force today."
    )

    class Meta:
        model = Organisation
        fields = ["id", "name", "is_active", "has_current_agreement", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class OrganisationFilter(FilterSet):
    q = filters.CharFilter(method=_search(["name"]), max_length=SEARCH_MAX, help_text="Part of the name.")
    is_active = BooleanFilter()

    class Meta:
        model = Organisation
        fields = ["is_active"]


def organisations_with_agreement(user: Any) -> QuerySet[Organisation]:
    return services.organisations_visible_to(user).annotate(
        has_current_agreement=Exists(SharingAgreement.objects.current().filter(organisation=OuterRef("pk")))
    )


@summaries(
    list="Organisations in your area",
    retrieve="One organisation",
    create="Add an organisation (area admins)",
    update="Change an organisation (area admins)",
    partial_update="Change some fields of an organisation (area admins)",
)
class OrganisationViewSet(AdminObjectViewSet):
    """Organisations: every member of the area may read the directory; area admins change it."""

    visible = organisations_with_agreement
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    save_with = services.save_organisation


# --- districts ------------------------------------------------------------------------------


class DistrictSerializer(PublicIdSerializer):
    class Meta:
        model = District
        fields = ["id", "name", "code", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class DistrictFilter(FilterSet):
    q = filters.CharFilter(
        method=_search(["name", "code"]), max_length=SEARCH_MAX, help_text="Part of the name or code."
    )

    class Meta:
        model = District
        fields: list[str] = []


@summaries(
    list="Districts of your area",
    retrieve="One district",
    create="Add a district (area admins)",
    update="Change a district (area admins)",
    partial_update="Change some fields of a district (area admins)",
)
class DistrictViewSet(AdminObjectViewSet):
    """Local authority districts of the area."""

    visible = services.districts_visible_to
    serializer_class = DistrictSerializer
    filterset_class = DistrictFilter
    save_with = services.save_district


# --- services ---------------------------------------------------------------------------------


class ServiceSerializer(PublicIdSerializer):
    organisation = PublicIdField(visible=services.organisations_visible_to)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    district = PublicIdField(visible=services.districts_visible_to, allow_null=True, required=False)

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "kind",
            "organisation",
            "organisation_name",
            "district",
            "restricted",
            "hidden_work",
            "contact_phone",
            "contact_email",
            "caseload_limit",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class ServiceFilter(FilterSet):
    q = filters.CharFilter(
        method=_search(["name", "organisation__name"]),
        max_length=SEARCH_MAX,
        help_text="Part of the service's or organisation's name.",
    )
    kind = filters.ChoiceFilter(choices=ServiceKind.choices)
    organisation = filters.UUIDFilter(field_name="organisation__public_id", help_text="An organisation's id.")
    district = filters.UUIDFilter(field_name="district__public_id", help_text="A district's id.")
    restricted = BooleanFilter()
    is_active = BooleanFilter()

    class Meta:
        model = Service
        fields = ["kind", "restricted", "is_active"]


@summaries(
    list="Services in your area",
    retrieve="One service",
    create="Add a service (area admins)",
    update="Change a service (area admins)",
    partial_update="Change some fields of a service (area admins)",
)
class ServiceViewSet(AdminObjectViewSet):
    """Services (teams, hostels, refuges…): whom to contact is what partners need first."""

    visible = services.services_visible_to
    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter
    save_with = services.save_service


# --- sharing agreements ---------------------------------------------------------------------


class AgreementSerializer(PublicIdSerializer):
    organisation = PublicIdField(visible=services.organisations_visible_to)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    is_current = serializers.BooleanField(read_only=True, help_text="In force today.")

    class Meta:
        model = SharingAgreement
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "version",
            "signed_on",
            "expires_on",
            "signed_by",
            "is_current",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class AgreementFilter(FilterSet):
    organisation = filters.UUIDFilter(field_name="organisation__public_id", help_text="An organisation's id.")
    current = BooleanFilter(method="filter_current", help_text="Only agreements in force today (or not).")

    class Meta:
        model = SharingAgreement
        fields: list[str] = []

    def filter_current(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        current = SharingAgreement.objects.current().values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)


@summaries(
    list="Information sharing agreements in your area",
    retrieve="One sharing agreement",
    create="Record a sharing agreement (area admins)",
    update="Correct a sharing agreement (area admins)",
    partial_update="Correct some fields of a sharing agreement (area admins)",
)
class AgreementViewSet(AdminObjectViewSet):
    """Information sharing agreements: who shares is known to every member of the area."""

    visible = services.agreements_visible_to
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    save_with = services.save_agreement


# --- users --------------------------------------------------------------------------------------


class UserSerializer(PublicIdSerializer):
    organisation = PublicIdField(visible=services.organisations_visible_to, allow_null=True, required=False)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, default=None, allow_null=True)
    display_name = serializers.CharField(read_only=True)
    password = StrictCharField(
        write_only=True,
        required=False,
        trim_whitespace=False,
        max_length=128,
        style={"input_type": "password"},
        help_text="On creation only. Without one the account cannot sign in until a password is set.",
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "display_name",
            "email",
            "job_title",
            "phone",
            "organisation",
            "organisation_name",
            "is_active",
            "last_login",
            "date_joined",
            "password",
        ]
        read_only_fields = ["is_active", "last_login", "date_joined"]

    def validate_password(self, value: str) -> str:
        if self.instance is not None:
            raise serializers.ValidationError("Passwords are not changed here.")
        return value


class ReasonSerializer(serializers.Serializer):
    reason = StrictCharField(required=False, allow_blank=True, max_length=500, default="")


class UnlockedSerializer(serializers.Serializer):
    cleared = serializers.IntegerField(help_text="How many failed sign-in records were cleared.")


class UserFilter(FilterSet):
    q = filters.CharFilter(
        method=_search(["username", "first_name", "last_name", "email"]),
        max_length=SEARCH_MAX,
        help_text="Part of the username, name or email address.",
    )
    is_active = BooleanFilter()
    organisation = filters.UUIDFilter(field_name="organisation__public_id", help_text="An organisation's id.")

    class Meta:
        model = User
        fields = ["is_active"]


@summaries(
    list="Users you may see (area admins: everyone in the area)",
    retrieve="One user",
    create="Add a user (area admins)",
    update="Change a user's details (area admins)",
    partial_update="Change some of a user's details (area admins)",
)
class UserViewSet(CreateWithService, UpdateWithService, ReadOnlyViewSet):
    """Staff accounts. Area admins see and manage all of the area's; managers see their members."""

    visible = services.users_visible_to
    serializer_class = UserSerializer
    filterset_class = UserFilter
    ordering = ("-date_joined", "-id")

    def get_queryset(self) -> QuerySet[User]:
        return super().get_queryset().select_related("organisation")

    def save(self, data: dict[str, Any], instance: Any = None) -> User:
        user = self.request.user
        if instance is not None:
            return services.update_user(user, instance, data)
        data = dict(data)
        password = data.pop("password", None)
        try:
            return services.create_user(user, data, password=password)
        except DjangoValidationError as exc:
            # Django's password validators raise plain lists; say which field they are about.
            if hasattr(exc, "error_dict"):
                raise
            raise serializers.ValidationError({"password": exc.messages}) from exc

    @extend_schema(
        summary="Deactivate a user: their sessions and tokens end at once (area admins)",
        request=ReasonSerializer,
        responses=UserSerializer,
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, id: str) -> Response:
        target = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.deactivate_user(request.user, target, serializer.validated_data["reason"])
        return self.respond_with(target)

    @extend_schema(summary="Let a deactivated user sign in again (area admins)", request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request: Request, id: str) -> Response:
        target = self.get_object()
        services.reactivate_user(request.user, target)
        return self.respond_with(target)

    @extend_schema(summary="Clear a sign-in lock-out (area admins)", request=None, responses=UnlockedSerializer)
    @action(detail=True, methods=["post"])
    def unlock(self, request: Request, id: str) -> Response:
        target = self.get_object()
        return Response({"cleared": services.unlock_user(request.user, target)})


# --- memberships ---------------------------------------------------------------------------------


class MembershipSerializer(PublicIdSerializer):
    user = PublicIdField(visible=area_users)
    user_name = serializers.CharField(source="user.display_name", read_only=True)
    service = PublicIdField(
        visible=services.services_visible_to,
        allow_null=True,
        required=False,
        help_text="The service, for service roles; empty for area-wide roles.",
    )
    service_name = serializers.CharField(source="service.name", read_only=True, default=None, allow_null=True)
    role = serializers.ChoiceField(choices=Role.choices)
    started_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "user_name", "service", "service_name", "role", "started_at", "ended_at"]
        read_only_fields = ["ended_at"]
        # DRF would build a validator from the "one active role" constraint that makes `service`
        # required even for area-wide roles; add_membership checks duplicates itself.
        validators: list[Any] = []


class MembershipFilter(FilterSet):
    user = filters.UUIDFilter(field_name="user__public_id", help_text="A user's id.")
    service = filters.UUIDFilter(field_name="service__public_id", help_text="A service's id.")
    role = filters.ChoiceFilter(choices=Role.choices)
    active = BooleanFilter(field_name="ended_at", lookup_expr="isnull", help_text="Not ended (or ended).")

    class Meta:
        model = Membership
        fields: list[str] = []


@summaries(
    list="Roles of the users you may see",
    retrieve="One role",
    create="Give a user a role (area admins; managers in their own services)",
)
class MembershipViewSet(CreateWithService, ReadOnlyViewSet):
    """Who holds which role where. Ending a role keeps it, with its end time, as history."""

    visible = services.memberships_visible_to
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    permission_classes = [permissions.IsAuthenticated, ManagersWrite]

    def save(self, data: dict[str, Any], instance: Any = None) -> Membership:
        return services.add_membership(self.request.user, data["user"], data["role"], data.get("service"))

    @extend_schema(
        summary="End a role (area admins; managers in their own services)", request=None, responses=MembershipSerializer
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, id: str) -> Response:
        membership = services.end_membership(request.user, self.get_object())
        return self.respond_with(membership)


# --- API tokens ----------------------------------------------------------------------------------------


class TokenSerializer(PublicIdSerializer):
    is_usable = serializers.BooleanField(read_only=True, help_text="Neither revoked nor expired.")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at", "is_usable"]
        read_only_fields = fields


class TokenCreateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=100, help_text="What the token is for, e.g. 'nightly export'.")
    days = StrictIntegerField(
        min_value=1, max_value=366, required=False, help_text="How long it lasts (default 90 days)."
    )


class TokenCreatedSerializer(TokenSerializer):
    key = serializers.CharField(read_only=True, help_text="The token itself. Shown this once and never again.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


def own_tokens(user: Any) -> QuerySet[ApiToken]:
    """A user's own API tokens."""
    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


@summaries(
    list="Your API tokens",
    retrieve="One of your API tokens",
)
class TokenViewSet(ReadOnlyViewSet):
    """Your personal API tokens: create one (its key is shown once), list them, revoke one."""

    visible = own_tokens
    serializer_class = TokenSerializer
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Create an API token: the response holds its key, shown this once",
        request=TokenCreateSerializer,
        responses={201: TokenCreatedSerializer},
    )
    def create(self, request: Request) -> Response:
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]  # IsAuthenticated
        token, key = services.create_api_token(
            user, serializer.validated_data["name"], serializer.validated_data.get("days")
        )
        token.key = key  # type: ignore[attr-defined]
        return Response(TokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Revoke one of your API tokens", request=None, responses=TokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, id: str) -> Response:
        return self.respond_with(services.revoke_api_token(request.user, self.get_object()))


# --- who am I -------------------------------------------------------------------------------------------


class NamedSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class MyServiceSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=ServiceKind.choices)
    organisation_name = serializers.CharField(source="organisation.name")


class MyRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    role_name = serializers.CharField(source="get_role_display")
    service = serializers.UUIDField(source="service.public_id", allow_null=True, default=None)
    service_name = serializers.CharField(source="service.name", allow_null=True, default=None)


class MeSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    username = serializers.CharField()
    display_name = serializers.CharField()
    email = serializers.CharField()
    job_title = serializers.CharField()
    area = NamedSerializer(allow_null=True)
    organisation = NamedSerializer(allow_null=True)
    roles = MyRoleSerializer(many=True)
    services = MyServiceSerializer(many=True, help_text="The services you act for.")
    current_service = MyServiceSerializer(
        allow_null=True, help_text="The service you are acting for now (choose with the X-Waymark-Service header)."
    )
    is_area_admin = serializers.BooleanField()


class MeView(APIView):
    """Who the caller is: their services, the one they act for now, and their roles."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary="Who you are, your services and roles", responses=MeSerializer, tags=["me"])
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]  # IsAuthenticated
        roles = Membership.objects.active().filter(user=user).select_related("service").order_by("role")
        me = {
            "public_id": user.public_id,
            "username": user.username,
            "display_name": user.display_name,
            "email": user.email,
            "job_title": user.job_title,
            "area": user.area,
            "organisation": user.organisation,
            "roles": list(roles),
            "services": list(services.services_for(user).order_by("name")),
            "current_service": getattr(request, "current_service", None),
            "is_area_admin": services.is_area_admin(user),
        }
        return Response(MeSerializer(me).data)


def register(router: Any) -> None:
    """Add this app's viewsets to the API router."""
    router.register("organisations", OrganisationViewSet, basename="organisation")
    router.register("districts", DistrictViewSet, basename="district")
    router.register("services", ServiceViewSet, basename="service")
    router.register("sharing-agreements", AgreementViewSet, basename="agreement")
    router.register("users", UserViewSet, basename="user")
    router.register("memberships", MembershipViewSet, basename="membership")
    router.register("tokens", TokenViewSet, basename="token")
