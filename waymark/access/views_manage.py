"""Administration pages: area admins run the area; service managers run their services' members.

Thin views: objects are looked up through the `*_visible_to(user)` querysets
(so another area's objects are 404), and every change goes through
`access.services`, which checks permission again and audits it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from waymark.access import forms, rules, services
from waymark.access.models import ApiToken, Service, SharingAgreement

PER_PAGE = 50
SEARCH_RESULTS = 20

View = Callable[..., HttpResponse]


# --- who may open these pages -------------------------------------------------------


def area_admin_required(view: View) -> View:
    """Signed-in area admins only; anyone else signed in gets 403."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.is_area_admin(request.user):
            raise PermissionDenied("Only an area admin can open this page.")
        return view(request, *args, **kwargs)

    return wrapped


def admin_or_manager_required(view: View) -> View:
    """Area admins and service managers; each view checks the particular service."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        ctx = rules.context_for(request.user)
        if not (ctx.is_area_admin or ctx.manager_service_ids):
            raise PermissionDenied("Only an area admin or a service manager can open this page.")
        return view(request, *args, **kwargs)

    return wrapped


# --- small helpers ----------------------------------------------------------------------


def show_errors(form: Form, exc: ValidationError, fallback: str | None = None) -> None:
    """Put a service's ValidationError on the form: next to its field when there is one.

    An error without a field (such as the password validators') goes next to `fallback`,
    or into the summary at the top.
    """
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(fallback, exc.messages)


def save_form(
    request: HttpRequest,
    form: Form,
    save: Callable[[dict[str, Any]], Any],
    message: Callable[[Any], str],
    next_url: Callable[[Any], str],
    *,
    fallback: str | None = None,
) -> HttpResponse | None:
    """On a valid POST, call the service and redirect; on its ValidationError, keep the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        obj = save(form.cleaned_data)
    except ValidationError as exc:
        show_errors(form, exc, fallback)
        return None
    messages.success(request, message(obj))
    return redirect(next_url(obj))


def posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def paginate(request: HttpRequest, queryset: QuerySet) -> Page:
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def extra_query(**params: Any) -> str:
    """Filters other than the search, for the pagination links (ends with '&' when not empty)."""
    kept = {k: v for k, v in params.items() if v}
    return urlencode(kept) + "&" if kept else ""


def initial_from(obj: Model, form_class: type[Form]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in form_class.base_fields if hasattr(obj, name)}


def form_page(request: HttpRequest, form: Form, *, title: str, submit: str, back: str, **extra: Any) -> HttpResponse:
    return render(
        request,
        "access/manage/form.html",
        {"form": form, "title": title, "submit": submit, "back": back, **extra},
    )


def get_visible(queryset: QuerySet, public_id: UUID) -> Any:
    """One object of a `*_visible_to` queryset, or 404: another area's objects do not exist here."""
    return get_object_or_404(queryset, public_id=public_id)


@dataclass(frozen=True)
class AreaObject:
    """What differs between the add and change pages of one kind of area object."""

    form_class: type[forms.AreaObjectForm]
    visible: Callable[[Any], QuerySet]
    # services.save_*(user, data, instance=None): checks, saves and audits.
    save: Callable[..., Any]
    list_url: str
    section: str
    add_title: str
    add_submit: str
    # The start of the message after saving, e.g. "Organisation Shelter".
    describe: Callable[[Any], str]
    added: str = "added"
    change_title: Callable[[Any], str] = lambda obj: f"Change {obj.name}"
    # Where saving leads and a change page's Cancel goes; the list when None.
    detail_url: str | None = None

    def next_url(self, obj: Any) -> str:
        if self.detail_url is None:
            return reverse(self.list_url)
        return reverse(self.detail_url, args=[obj.public_id])


def add_or_change(
    request: HttpRequest,
    kind: AreaObject,
    public_id: UUID | None = None,
    initial: dict[str, Any] | None = None,
) -> HttpResponse:
    """The add page (no `public_id`) or change page of an area object: a form, saved by its service."""
    user = request.user
    instance = None if public_id is None else get_visible(kind.visible(user), public_id)
    if instance is not None:
        initial = initial_from(instance, kind.form_class)
    form = kind.form_class(posted(request), user=user, instance=instance, initial=initial)
    done = save_form(
        request,
        form,
        lambda data: kind.save(user, data, instance),
        lambda obj: f"{kind.describe(obj)} {kind.added if instance is None else 'saved'}.",
        kind.next_url,
    )
    list_url = reverse(kind.list_url)
    return done or form_page(
        request,
        form,
        title=kind.add_title if instance is None else kind.change_title(instance),
        submit=kind.add_submit if instance is None else "Save changes",
        back=list_url if instance is None else kind.next_url(instance),
        section=(kind.section, list_url),
    )


# --- index ------------------------------------------------------------------------------


def _with_member_counts(queryset: QuerySet[Service]) -> QuerySet[Service]:
    return queryset.annotate(
        member_count=Count(
            "memberships",
            filter=Q(memberships__ended_at__isnull=True, memberships__user__is_active=True),
        )
    )


@admin_or_manager_required
def index(request: HttpRequest) -> HttpResponse:
    """Sections with counts for area admins; a manager's own services and their members."""
    user = request.user
    ctx = rules.context_for(user)
    counts: dict[str, int] = {}
    if ctx.is_area_admin:
        users = services.users_visible_to(user)
        agreements = services.agreements_visible_to(user)
        counts = {
            "organisations": services.organisations_visible_to(user).count(),
            "districts": services.districts_visible_to(user).count(),
            "services": services.services_visible_to(user).count(),
            "users": users.filter(is_active=True).count(),
            "inactive_users": users.filter(is_active=False).count(),
            "agreements": agreements.count(),
            "current_agreements": agreements.filter(pk__in=SharingAgreement.objects.current().values("pk")).count(),
        }
    managed = _with_member_counts(services.services_visible_to(user).filter(pk__in=ctx.manager_service_ids))
    managed_members = [(service, services.members_of(user, service)[:PER_PAGE]) for service in managed]
    return render(
        request,
        "access/manage/index.html",
        {"counts": counts, "is_area_admin": ctx.is_area_admin, "managed": managed_members, "per_page": PER_PAGE},
    )


# --- organisations ---------------------------------------------------------------------


@area_admin_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    """Organisations of the area by name, with their services and whether they share."""
    search = forms.SearchForm(request.GET)
    query = search.value("q", "")
    organisations = (
        services.organisations_visible_to(request.user)
        .annotate(
            service_count=Count("services", distinct=True),
            shares=Exists(SharingAgreement.objects.current().filter(organisation=OuterRef("pk"))),
        )
        .order_by("name", "pk")
    )
    if query:
        organisations = organisations.filter(name__icontains=query)
    return render(
        request,
        "access/manage/organisation_list.html",
        {"page": paginate(request, organisations), "query": query, "search": search},
    )


ORGANISATIONS = AreaObject(
    form_class=forms.OrganisationForm,
    visible=services.organisations_visible_to,
    save=services.save_organisation,
    list_url="manage:organisation-list",
    section="Organisations",
    add_title="Add an organisation",
    add_submit="Add organisation",
    describe=lambda org: f"Organisation {org.name}",
)


@area_admin_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    return add_or_change(request, ORGANISATIONS, initial={"is_active": True})


@area_admin_required
def organisation_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return add_or_change(request, ORGANISATIONS, public_id)


# --- districts ---------------------------------------------------------------------------


@area_admin_required
def district_list(request: HttpRequest) -> HttpResponse:
    """Districts of the area, with how many services are in each."""
    search = forms.SearchForm(request.GET)
    query = search.value("q", "")
    districts = (
        services.districts_visible_to(request.user).annotate(service_count=Count("services")).order_by("name", "pk")
    )
    if query:
        districts = districts.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return render(
        request,
        "access/manage/district_list.html",
        {"page": paginate(request, districts), "query": query, "search": search},
    )


DISTRICTS = AreaObject(
    form_class=forms.DistrictForm,
    visible=services.districts_visible_to,
    save=services.save_district,
    list_url="manage:district-list",
    section="Districts",
    add_title="Add a district",
    add_submit="Add district",
    describe=lambda district: f"District {district.name}",
)


@area_admin_required
def district_create(request: HttpRequest) -> HttpResponse:
    return add_or_change(request, DISTRICTS)


@area_admin_required
def district_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return add_or_change(request, DISTRICTS, public_id)


# --- services -----------------------------------------------------------------------------


@area_admin_required
def service_list(request: HttpRequest) -> HttpResponse:
    """Services of the area: search by name, filter by kind and organisation."""
    filters = forms.ServiceFilterForm(request.GET, user=request.user)
    query, kind, organisation = filters.value("q", ""), filters.value("kind"), filters.value("organisation")
    found = _with_member_counts(services.services_visible_to(request.user))
    if query:
        found = found.filter(name__icontains=query)
    if kind:
        found = found.filter(kind=kind)
    if organisation is not None:
        found = found.filter(organisation=organisation)
    return render(
        request,
        "access/manage/service_list.html",
        {
            "page": paginate(request, found.order_by("name", "organisation__name")),
            "query": query,
            "filters": filters,
            "filtered": bool(query or kind or organisation),
            "extra_query": extra_query(kind=kind, organisation=organisation.public_id if organisation else None),
        },
    )


SERVICES = AreaObject(
    form_class=forms.ServiceForm,
    visible=services.services_visible_to,
    save=services.save_service,
    list_url="manage:service-list",
    section="Services",
    add_title="Add a service",
    add_submit="Add service",
    describe=lambda service: f"Service {service.name}",
    detail_url="manage:service-detail",
)


@area_admin_required
def service_create(request: HttpRequest) -> HttpResponse:
    return add_or_change(request, SERVICES, initial={"is_active": True, "caseload_limit": 20})


@area_admin_required
def service_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return add_or_change(request, SERVICES, public_id)


def _managed_service(request: HttpRequest, public_id: UUID) -> Service:
    """A service of the area (else 404) that the user manages (else 403)."""
    service = get_visible(services.services_visible_to(request.user), public_id)
    services.require_service_manager(request.user, service)
    return service


@admin_or_manager_required
def service_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A service's details and current members, for its managers and area admins."""
    service = _managed_service(request, public_id)
    members = services.members_of(request.user, service)
    return render(
        request,
        "access/manage/service_detail.html",
        {
            "service": service,
            "page": paginate(request, members),
            "is_area_admin": services.is_area_admin(request.user),
        },
    )


@admin_or_manager_required
def service_member_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Add an existing user of the area to the service as a worker, viewer or manager."""
    service = _managed_service(request, public_id)
    candidates = services.users_for_membership(request.user, service)
    search = forms.SearchForm(request.GET)
    query = search.value("q", "")
    results = candidates.filter(username__icontains=query).order_by("username")[:SEARCH_RESULTS] if query else None
    chosen = request.GET.get("username", "")[:150]
    form = forms.ServiceMemberForm(posted(request), candidates=candidates, initial={"username": chosen})
    detail = reverse("manage:service-detail", args=[service.public_id])
    done = save_form(
        request,
        form,
        lambda data: services.add_membership(request.user, data["username"], data["role"], service),
        lambda m: f"{m.user.username} is now {m.get_role_display().lower()} in {service.name}.",
        lambda m: detail,
    )
    return done or render(
        request,
        "access/manage/service_member_add.html",
        {"service": service, "form": form, "search": search, "query": query, "results": results, "back": detail},
    )


# --- users ---------------------------------------------------------------------------------


@area_admin_required
def user_list(request: HttpRequest) -> HttpResponse:
    """Users of the area: search by name, username or email; filter active or inactive."""
    filters = forms.UserFilterForm(request.GET)
    query, status = filters.value("q", ""), filters.value("status")
    users = (
        services.users_visible_to(request.user)
        .select_related("organisation")
        .order_by("last_name", "first_name", "username")
    )
    if query:
        matches = (
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
        # "Jo Bloggs" should find Jo Bloggs.
        first, _, last = query.partition(" ")
        if last.strip():
            matches |= Q(first_name__icontains=first, last_name__icontains=last.strip())
        users = users.filter(matches)
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "inactive":
        users = users.filter(is_active=False)
    return render(
        request,
        "access/manage/user_list.html",
        {
            "page": paginate(request, users),
            "query": query,
            "filters": filters,
            "filtered": bool(query or status),
            "extra_query": extra_query(status=status),
        },
    )


def _user(request: HttpRequest, public_id: UUID) -> Any:
    return get_visible(services.users_visible_to(request.user).select_related("organisation"), public_id)


def _user_url(user: Any) -> str:
    return reverse("manage:user-detail", args=[user.public_id])


@area_admin_required
def user_create(request: HttpRequest) -> HttpResponse:
    form = forms.NewUserForm(posted(request), user=request.user)

    def save(data: dict[str, Any]) -> Any:
        fields = {name: data[name] for name in services.USER_FIELDS}
        return services.create_user(request.user, fields, data.get("password") or None)

    done = save_form(request, form, save, lambda u: f"User {u.username} added.", _user_url, fallback="password")
    return done or form_page(
        request,
        form,
        title="Add a user",
        submit="Add user",
        back=reverse("manage:user-list"),
        section=("Users", reverse("manage:user-list")),
    )


@area_admin_required
def user_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A user's roles, sign-in state and API tokens, with the actions on them."""
    person = _user(request, public_id)
    memberships = person.memberships.select_related("service", "service__organisation").order_by(
        "-ended_at", "service__name", "role"
    )
    return render(
        request,
        "access/manage/user_detail.html",
        {
            "subject": person,
            "current": [m for m in memberships if m.ended_at is None],
            "ended": [m for m in memberships if m.ended_at is not None],
            "locked_out": services.is_locked_out(person),
            "usable_tokens": ApiToken.objects.usable().filter(user=person).count(),
            "all_tokens": person.api_tokens.count(),
            "is_self": person.pk == request.user.pk,
        },
    )


@area_admin_required
def user_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    person = _user(request, public_id)
    form = forms.UserForm(posted(request), user=request.user, initial=initial_from(person, forms.UserForm))
    done = save_form(
        request,
        form,
        lambda data: services.update_user(request.user, person, data),
        lambda u: f"User {u.username} saved.",
        _user_url,
    )
    return done or form_page(
        request,
        form,
        title=f"Change {person.display_name}",
        submit="Save changes",
        back=_user_url(person),
        section=("Users", reverse("manage:user-list")),
    )


@area_admin_required
def user_password(request: HttpRequest, public_id: UUID) -> HttpResponse:
    person = _user(request, public_id)
    form = forms.SetPasswordForm(posted(request))

    def save(data: dict[str, Any]) -> Any:
        services.set_password(request.user, person, data["password"])
        return person

    done = save_form(request, form, save, lambda u: f"Password set for {u.username}.", _user_url, fallback="password")
    return done or form_page(
        request,
        form,
        title=f"Set a password for {person.display_name}",
        submit="Set password",
        back=_user_url(person),
        section=("Users", reverse("manage:user-list")),
        lede="Tell them the password in person or by phone, never by email.",
    )


@area_admin_required
def user_deactivate(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Confirm, with a reason, then stop the user signing in and end their sessions and tokens."""
    person = _user(request, public_id)
    if not person.is_active:
        messages.info(request, f"{person.username} is already deactivated.")
        return redirect(_user_url(person))
    form = forms.DeactivateForm(posted(request))
    done = save_form(
        request,
        form,
        lambda data: services.deactivate_user(request.user, person, data["reason"]),
        lambda u: f"{u.username} is deactivated. Their sessions and API tokens have ended.",
        _user_url,
    )
    return done or render(
        request,
        "access/manage/user_deactivate.html",
        {
            "subject": person,
            "form": form,
            "usable_tokens": ApiToken.objects.usable().filter(user=person).count(),
            "back": _user_url(person),
        },
    )


@require_POST
@area_admin_required
def user_reactivate(request: HttpRequest, public_id: UUID) -> HttpResponse:
    person = _user(request, public_id)
    services.reactivate_user(request.user, person)
    messages.success(request, f"{person.username} can sign in again.")
    return redirect(_user_url(person))


@require_POST
@area_admin_required
def user_unlock(request: HttpRequest, public_id: UUID) -> HttpResponse:
    person = _user(request, public_id)
    services.unlock_user(request.user, person)
    messages.success(request, f"{person.username} can try to sign in again.")
    return redirect(_user_url(person))


# --- memberships ------------------------------------------------------------------------------


@area_admin_required
def membership_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Give a user a role: in a service, or area-wide."""
    person = _user(request, public_id)
    form = forms.MembershipForm(posted(request), user=request.user)
    done = save_form(
        request,
        form,
        lambda data: services.add_membership(request.user, person, data["role"], data.get("service")),
        lambda m: (
            f"{person.username} is now {m.get_role_display().lower()}"
            + (f" in {m.service.name}." if m.service_id else " for the area.")
        ),
        lambda m: _user_url(person),
    )
    return done or form_page(
        request,
        form,
        title=f"Give {person.display_name} a role",
        submit="Add role",
        back=_user_url(person),
        section=("Users", reverse("manage:user-list")),
    )


@admin_or_manager_required
def membership_end(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Confirm, then end a role. The membership is kept, with its end, for the history."""
    membership = get_visible(services.memberships_visible_to(request.user).filter(ended_at__isnull=True), public_id)
    if membership.service_id:
        services.require_service_manager(request.user, membership.service)
    else:
        services.require_area_admin(request.user)
    from_service = request.GET.get("from") == "service" and membership.service_id
    if from_service or not services.is_area_admin(request.user):
        back = reverse("manage:service-detail", args=[membership.service.public_id])
    else:
        back = _user_url(membership.user)
    if request.method == "POST":
        try:
            services.end_membership(request.user, membership)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Ended: {membership.user.username} as {membership.get_role_display().lower()}.")
        return redirect(back)
    return render(request, "access/manage/membership_end.html", {"membership": membership, "back": back})


# --- sharing agreements ----------------------------------------------------------------------


def _agreement_status(agreement: SharingAgreement, today: Any) -> str:
    if agreement.signed_on > today:
        return "future"
    if agreement.expires_on is not None and agreement.expires_on < today:
        return "expired"
    return "current"


@area_admin_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    """Every organisation's agreements, marked in force, expired or not yet in force."""
    filters = forms.AgreementFilterForm(request.GET)
    query, status = filters.value("q", ""), filters.value("status")
    today = timezone.localdate()
    agreements = services.agreements_visible_to(request.user).order_by("organisation__name", "-signed_on")
    if query:
        agreements = agreements.filter(Q(organisation__name__icontains=query) | Q(version__icontains=query))
    if status == "current":
        agreements = agreements.filter(pk__in=SharingAgreement.objects.current(today).values("pk"))
    elif status == "expired":
        agreements = agreements.filter(expires_on__lt=today)
    elif status == "future":
        agreements = agreements.filter(signed_on__gt=today)
    page = paginate(request, agreements)
    for agreement in page.object_list:
        agreement.status = _agreement_status(agreement, today)
    return render(
        request,
        "access/manage/agreement_list.html",
        {
            "page": page,
            "query": query,
            "filters": filters,
            "filtered": bool(query or status),
            "extra_query": extra_query(status=status),
        },
    )


AGREEMENTS = AreaObject(
    form_class=forms.AgreementForm,
    visible=services.agreements_visible_to,
    save=services.save_agreement,
    list_url="manage:agreement-list",
    section="Sharing agreements",
    add_title="Record a sharing agreement",
    add_submit="Save agreement",
    describe=lambda a: f"Sharing agreement {a.version} for {a.organisation.name}",
    added="recorded",
    change_title=lambda a: f"Change the agreement of {a.organisation.name}",
)


@area_admin_required
def agreement_create(request: HttpRequest) -> HttpResponse:
    # The organisation list links here with ?organisation=<public id>; an unknown one selects nothing.
    initial = {"signed_on": timezone.localdate(), "organisation": request.GET.get("organisation", "")[:36]}
    return add_or_change(request, AGREEMENTS, initial=initial)


@area_admin_required
def agreement_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return add_or_change(request, AGREEMENTS, public_id)
