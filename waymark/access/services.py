"""Administration of the access model. Every change is validated, atomic and audited.

Views and API endpoints call these functions; they never save access models
themselves.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar
from uuid import UUID

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from waymark.access import rules
from waymark.access.constants import AREA_ROLES, SERVICE_ROLES, Role
from waymark.access.models import (
    ApiToken,
    Area,
    District,
    Membership,
    Organisation,
    Service,
    SharingAgreement,
    User,
    UserSession,
    hash_token,
)
from waymark.audit.models import AuditKind
from waymark.audit.services import changes_between, record

# --- who may administer what -------------------------------------------------


def is_area_admin(user: Any) -> bool:
    """Whether the user holds the area admin role."""
    return rules.context_for(user).is_area_admin


def require_area_admin(user: Any) -> None:
    """Raise PermissionDenied unless the user is an area admin."""
    if not is_area_admin(user):
        raise PermissionDenied("Only an area admin can do this.")


def can_manage_service(user: Any, service: Service) -> bool:
    """Area admins manage every service; a service manager manages their own."""
    ctx = rules.context_for(user)
    return ctx.is_area_admin or service.pk in ctx.manager_service_ids


def require_service_manager(user: Any, service: Service) -> None:
    """Raise PermissionDenied unless the user may manage the service's members."""
    if not can_manage_service(user, service):
        raise PermissionDenied("Only this service's managers or an area admin can do this.")


# --- what a user may see of the administration objects -----------------------


def organisations_visible_to(user: Any) -> QuerySet[Organisation]:
    """Every member of the area may see its organisations (the directory is shared)."""
    ctx = rules.context_for(user)
    if ctx.area_id is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(area_id=ctx.area_id)


def services_visible_to(user: Any) -> QuerySet[Service]:
    """Services in the user's area; who to contact is what partners need first."""
    ctx = rules.context_for(user)
    if ctx.area_id is None:
        return Service.objects.none()
    return Service.objects.filter(organisation__area_id=ctx.area_id).select_related("organisation", "district")


def districts_visible_to(user: Any) -> QuerySet[District]:
    """Districts of the user's area."""
    ctx = rules.context_for(user)
    if ctx.area_id is None:
        return District.objects.none()
    return District.objects.filter(area_id=ctx.area_id)


def users_visible_to(user: Any) -> QuerySet[User]:
    """Area admins see every user in the area; a manager sees their services' members; others themselves."""
    ctx = rules.context_for(user)
    if ctx.area_id is None:
        return User.objects.none()
    if ctx.is_area_admin:
        return User.objects.filter(area_id=ctx.area_id)
    if ctx.manager_service_ids:
        members = Membership.objects.active().filter(service_id__in=ctx.manager_service_ids).values("user_id")
        return User.objects.filter(area_id=ctx.area_id, pk__in=members) | User.objects.filter(pk=user.pk)
    return User.objects.filter(pk=user.pk)


def memberships_visible_to(user: Any) -> QuerySet[Membership]:
    """Memberships of the users this user may see."""
    return Membership.objects.filter(user__in=users_visible_to(user).values("pk")).select_related(
        "user", "service", "service__organisation"
    )


def agreements_visible_to(user: Any) -> QuerySet[SharingAgreement]:
    """Sharing agreements in the area: who shares is public to every member."""
    ctx = rules.context_for(user)
    if ctx.area_id is None:
        return SharingAgreement.objects.none()
    return SharingAgreement.objects.filter(organisation__area_id=ctx.area_id).select_related("organisation")


# --- the current service ------------------------------------------------------


def services_for(user: Any) -> QuerySet[Service]:
    """The services a user acts for (active service memberships)."""
    ctx = rules.context_for(user)
    return Service.objects.filter(pk__in=ctx.service_ids).select_related("organisation")


def my_services(user: Any) -> list[Service]:
    """The user's services as objects, by name, read with their memberships (no extra query)."""
    rules.context_for(user)
    return list(getattr(user, "_waymark_services", None) or services_for(user).order_by("name", "pk"))


def current_service_for(user: Any, chosen: str | None) -> Service | None:
    """The service the user is acting for: the one chosen, if still theirs, else their first."""
    services = my_services(user)
    if not services:
        return None
    if chosen:
        for service in services:
            if str(service.public_id) == str(chosen):
                return service
    return services[0]


def switch_service(user: Any, session: Any, service_public_id: str) -> Service:
    """Make another of the user's services current for this session."""
    ctx = rules.context_for(user)
    try:
        service = Service.objects.get(public_id=UUID(str(service_public_id)), pk__in=ctx.service_ids)
    except (Service.DoesNotExist, ValueError) as exc:
        raise ValidationError("Choose one of your own services.") from exc
    session["current_service"] = str(service.public_id)
    return service


# --- generic audited create and update -----------------------------------------


def _snapshot(obj: Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


M = TypeVar("M", bound=Model)


def _save_audited(obj: M, data: dict[str, Any], *, created: bool, what: str) -> M:
    fields = list(data)
    before = {} if created else _snapshot(obj, fields)
    for name, value in data.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    verb = "Created" if created else "Changed"
    record(
        AuditKind.ADMIN,
        f"{verb} {what} {obj}",
        obj=obj,
        detail={"changes": changes_between(before, _snapshot(obj, fields))},
    )
    return obj


@transaction.atomic
def save_organisation(actor: Any, data: dict[str, Any], organisation: Organisation | None = None) -> Organisation:
    """Create or change an organisation in the actor's area (area admins only)."""
    require_area_admin(actor)
    created = organisation is None
    organisation = organisation or Organisation(area_id=actor.area_id)
    return _save_audited(organisation, data, created=created, what="organisation")


@transaction.atomic
def save_district(actor: Any, data: dict[str, Any], district: District | None = None) -> District:
    """Create or change a district (area admins only)."""
    require_area_admin(actor)
    created = district is None
    district = district or District(area_id=actor.area_id)
    return _save_audited(district, data, created=created, what="district")


@transaction.atomic
def save_service(actor: Any, data: dict[str, Any], service: Service | None = None) -> Service:
    """Create or change a service (area admins only). The organisation must be in the actor's area."""
    require_area_admin(actor)
    organisation = data.get("organisation") or (service.organisation if service else None)
    if organisation is None or organisation.area_id != actor.area_id:
        raise ValidationError({"organisation": "Choose an organisation in your area."})
    district = data.get("district")
    if district is not None and district.area_id != actor.area_id:
        raise ValidationError({"district": "Choose a district in your area."})
    created = service is None
    return _save_audited(service or Service(), data, created=created, what="service")


@transaction.atomic
def save_agreement(actor: Any, data: dict[str, Any], agreement: SharingAgreement | None = None) -> SharingAgreement:
    """Record or correct an organisation's sharing agreement (area admins only)."""
    require_area_admin(actor)
    organisation = data.get("organisation") or (agreement.organisation if agreement else None)
    if organisation is None or organisation.area_id != actor.area_id:
        raise ValidationError({"organisation": "Choose an organisation in your area."})
    signed_on, expires_on = data.get("signed_on"), data.get("expires_on")
    if signed_on and expires_on and expires_on < signed_on:
        raise ValidationError({"expires_on": "The expiry date must be on or after the date it was signed."})
    created = agreement is None
    return _save_audited(agreement or SharingAgreement(), data, created=created, what="sharing agreement")


# --- users ----------------------------------------------------------------------

USER_FIELDS = ("username", "first_name", "last_name", "email", "job_title", "phone", "organisation")


@transaction.atomic
def create_user(actor: Any, data: dict[str, Any], password: str | None = None) -> User:
    """Create a staff user in the actor's area (area admins only).

    Without a password the account cannot sign in until one is set.
    """
    require_area_admin(actor)
    organisation = data.get("organisation")
    if organisation is not None and organisation.area_id != actor.area_id:
        raise ValidationError({"organisation": "Choose an organisation in your area."})
    user = User(area_id=actor.area_id, **{k: v for k, v in data.items() if k in USER_FIELDS})
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record(AuditKind.ADMIN, f"Created user {user.username}", obj=user)
    return user


@transaction.atomic
def update_user(actor: Any, user: User, data: dict[str, Any]) -> User:
    """Change a user's details (area admins only)."""
    require_area_admin(actor)
    organisation = data.get("organisation")
    if organisation is not None and organisation.area_id != actor.area_id:
        raise ValidationError({"organisation": "Choose an organisation in your area."})
    return _save_audited(user, {k: v for k, v in data.items() if k in USER_FIELDS}, created=False, what="user")


@transaction.atomic
def set_password(actor: Any, user: User, password: str) -> None:
    """Set a user's password (area admins, or the user themself)."""
    if actor.pk != user.pk:
        require_area_admin(actor)
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    record(AuditKind.ADMIN, f"Set the password of {user.username}", obj=user)


def end_sessions_and_tokens(user: User) -> int:
    """End every session and revoke every API token of a user, at once."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def deactivate_user(actor: Any, user: User, reason: str = "") -> User:
    """Stop a user signing in; their sessions and tokens end immediately (area admins only)."""
    require_area_admin(actor)
    if user.pk == actor.pk:
        raise ValidationError("You cannot deactivate your own account.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    revoked = end_sessions_and_tokens(user)
    record(
        AuditKind.ADMIN,
        f"Deactivated user {user.username}",
        obj=user,
        detail={"reason": reason, "tokens_revoked": revoked},
    )
    return user


@transaction.atomic
def reactivate_user(actor: Any, user: User) -> User:
    """Let a deactivated user sign in again (area admins only)."""
    require_area_admin(actor)
    user.is_active = True
    user.save(update_fields=["is_active"])
    record(AuditKind.ADMIN, f"Reactivated user {user.username}", obj=user)
    return user


def unlock_user(actor: Any, user: User) -> int:
    """Clear a lock-out after failed sign-ins (area admins only). Returns attempts cleared."""
    from axes.utils import reset

    require_area_admin(actor)
    cleared = reset(username=user.username) or 0
    record(AuditKind.ADMIN, f"Unlocked sign-in for {user.username}", obj=user, detail={"cleared": cleared})
    return cleared


def is_locked_out(user: User) -> bool:
    """Whether sign-in is currently locked for this username."""
    from axes.models import AccessAttempt
    from django.conf import settings

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        username=user.username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).exists()


# --- memberships --------------------------------------------------------------------


@transaction.atomic
def add_membership(actor: Any, user: User, role: str, service: Service | None = None) -> Membership:
    """Give a user a role: in a service (its managers or an area admin), or area-wide (area admins)."""
    if role in SERVICE_ROLES:
        if service is None:
            raise ValidationError({"service": "Choose the service this role is in."})
        require_service_manager(actor, service)
        if service.organisation.area_id != actor.area_id:
            raise ValidationError({"service": "Choose a service in your area."})
    elif role in AREA_ROLES:
        require_area_admin(actor)
        service = None
    else:
        raise ValidationError({"role": "Choose a role from the list."})
    if user.area_id != actor.area_id:
        raise ValidationError({"user": "Choose a user in your area."})
    if Membership.objects.filter(user=user, service=service, role=role, ended_at__isnull=True).exists():
        raise ValidationError("This user already has that role there.")
    membership = Membership.objects.create(user=user, area_id=actor.area_id, service=service, role=role)
    record(AuditKind.ADMIN, f"Gave {user.username} the role {membership.get_role_display()}", obj=membership)
    return membership


@transaction.atomic
def end_membership(actor: Any, membership: Membership) -> Membership:
    """End a role. Kept, with its end time, so history shows who could see what when."""
    if membership.service is not None:
        require_service_manager(actor, membership.service)
    else:
        require_area_admin(actor)
    if membership.role == Role.AREA_ADMIN and membership.user_id == actor.pk:
        raise ValidationError("You cannot remove your own area admin role.")
    membership.ended_at = timezone.now()
    membership.save(update_fields=["ended_at"])
    record(AuditKind.ADMIN, f"Ended {membership}", obj=membership)
    return membership


# --- API tokens -----------------------------------------------------------------------


@transaction.atomic
def create_api_token(user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Create a personal API token. Returns the token and its key, which is never stored or shown again."""
    from django.conf import settings

    days = days or settings.WAYMARK_API_TOKEN_DAYS
    if not 1 <= days <= 366:
        raise ValidationError({"days": "A token lasts between 1 and 366 days."})
    if not name.strip():
        raise ValidationError({"name": "Give the token a name, such as what it is for."})
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=key[:10],
        key_hash=hash_token(key),
        expires_at=timezone.now() + timedelta(days=days),
    )
    record(AuditKind.API_TOKEN, f"Created API token {token.name}", obj=token, user=user)
    return token, key


@transaction.atomic
def revoke_api_token(actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token (its owner, or an area admin)."""
    if token.user_id != actor.pk:
        require_area_admin(actor)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(AuditKind.API_TOKEN, f"Revoked API token {token.name}", obj=token)
    return token


def authenticate_token(key: str) -> ApiToken | None:
    """The usable token for a key, or None. Marks it used at most once a minute."""
    token = ApiToken.objects.usable().select_related("user").filter(key_hash=hash_token(key)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def remember_session(user: User, session_key: str | None, ip_address: str | None) -> None:
    """Note a new session of the user's, so deactivation can end it."""
    if session_key:
        UserSession.objects.update_or_create(session_key=session_key, defaults={"user": user, "ip_address": ip_address})


# --- administration pages --------------------------------------------------------------


def users_for_membership(actor: Any, service: Service) -> QuerySet[User]:
    """Active users of the actor's area who may be given a role in the service.

    A service manager may add existing colleagues of the area to their own
    service, so they need to find them by username; this is the only reach a
    manager has beyond their own members, and it gives names, not records.
    """
    require_service_manager(actor, service)
    if service.organisation.area_id != actor.area_id:
        return User.objects.none()
    return User.objects.filter(area_id=actor.area_id, is_active=True).select_related("organisation")


def members_of(actor: Any, service: Service, *, include_ended: bool = False) -> QuerySet[Membership]:
    """The memberships of a service, for its managers and area admins."""
    require_service_manager(actor, service)
    memberships = Membership.objects.filter(service=service).select_related("user", "user__organisation")
    if not include_ended:
        memberships = memberships.filter(ended_at__isnull=True)
    return memberships.order_by("user__last_name", "user__first_name", "user__username", "role")


@transaction.atomic
def bootstrap_area_admin(*, area_name: str, organisation_name: str, username: str, email: str, password: str) -> User:
    """Create an area (or use the existing one of that name), its lead organisation and an area admin.

    For a new installation, from the command line; audited with no acting user.
    """
    area, _ = Area.objects.get_or_create(name=area_name.strip())
    organisation, _ = Organisation.objects.get_or_create(area=area, name=organisation_name.strip())
    if User.objects.filter(username=username).exists():
        raise ValidationError(f"A user called {username} already exists.")
    user = User(username=username, email=email, area=area, organisation=organisation)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    Membership.objects.create(user=user, area=area, role=Role.AREA_ADMIN)
    record(AuditKind.ADMIN, f"Created first area admin {username}", obj=user, username="manage.py")
    return user
