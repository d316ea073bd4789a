"""People pages: the list and search, registering with the live duplicate check,
and editing details. A thin layer over people.services."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from waymark.access import rules
from waymark.access.models import District
from waymark.core.pagination import CappedPaginator
from waymark.people import services
from waymark.people.forms import EditForm, OtherNameFormSet, RegisterForm
from waymark.people.models import Person

PAGE_SIZE = 50


def _acting_service(request: HttpRequest) -> Any:
    return getattr(request, "current_service", None)


def _can_register(request: HttpRequest) -> bool:
    service = _acting_service(request)
    return service is not None and service.pk in rules.context_for(request.user).writing_service_ids


def _require_register(request: HttpRequest) -> Any:
    if not _can_register(request):
        raise PermissionDenied("Only a worker or manager of a service can register a person.")
    return _acting_service(request)


def _districts(request: HttpRequest) -> Any:
    return District.objects.filter(area_id=rules.context_for(request.user).area_id).order_by("name")


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    """People the user may see, 50 a page; with a search, ranked by how well they fit it, 20 a page."""
    query = request.GET.get("q", "")[:200].strip()
    context: dict[str, Any] = {"query": query, "can_register": _can_register(request)}
    if query:
        result = services.search_people(request.user, query)
        context["page"] = Paginator(result.people, services.SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
        context["searched"] = True
    else:
        context["page"] = CappedPaginator(services.people_for(request.user), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    return render(request, "people/list.html", context)


def _other_names(formset: Any) -> list[dict[str, str]]:
    return [form.cleaned_data for form in formset.forms if form.is_valid() and form.cleaned_data]


def _lenient_query(form: RegisterForm, formset: Any) -> Any:
    """A duplicate-check query from whatever has been typed so far, ignoring fields not yet valid."""
    form.is_valid()
    fields = ("first_name", "last_name", "known_as", "gender", "nationality")
    data = {name: form.cleaned_data.get(name, "") for name in fields}
    data.update(form.birth())
    formset.is_valid()
    return services.match_query_from(data, _other_names(formset))


def _render_register(
    request: HttpRequest, form: RegisterForm, formset: Any, candidates: list | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "formset": formset,
        "service": _acting_service(request),
        "candidates": candidates or [],
        "checked": candidates is not None,
        "must_confirm": bool(candidates),
    }
    return render(request, "people/register.html", context, status=status)


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """Register a person. The form's own POST runs the duplicate check, so it works without JavaScript."""
    service = _require_register(request)
    if request.method != "POST":
        return _render_register(request, RegisterForm(districts=_districts(request)), OtherNameFormSet(prefix="other"))
    form = RegisterForm(request.POST, districts=_districts(request))
    formset = OtherNameFormSet(request.POST, prefix="other")
    if not (form.is_valid() and formset.is_valid()):
        return _render_register(request, form, formset)
    data = form.person_data()
    if form.errors:  # the date of birth, read after is_valid
        return _render_register(request, form, formset)
    decision = services.MatchDecision(confirmed_none=form.cleaned_data["confirm_none"], seen=form.seen())
    try:
        person = services.register_person(
            request.user,
            service,
            data,
            _other_names(formset),
            decision,
            start_episode=form.cleaned_data["start_episode"],
        )
    except services.PossibleDuplicates as exc:
        if form.cleaned_data["confirm_none"]:
            form.add_error(None, "More possible matches were found. Check them too before registering.")
        return _render_register(request, form, formset, exc.candidates)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _render_register(request, form, formset)
    messages.success(request, f"Registered {person.display_name} ({person.reference}).")
    return redirect("people:detail", public_id=person.public_id)


@login_required
@require_POST
def register_check(request: HttpRequest) -> HttpResponse:
    """The live duplicate check (HTMX): possible existing records for what has been typed."""
    _require_register(request)
    form = RegisterForm(request.POST, districts=_districts(request))
    formset = OtherNameFormSet(request.POST, prefix="other")
    query = _lenient_query(form, formset)
    candidates = services.check_for_duplicates(request.user, query)
    context = {"candidates": candidates, "checked": query.has_name, "must_confirm": False}
    return render(request, "people/_candidates.html", context)


@login_required
@require_POST
def register_pick(request: HttpRequest) -> HttpResponse:
    """The worker says a possible match is the person: audited, then the record opens."""
    service = _require_register(request)
    form = RegisterForm(request.POST, districts=_districts(request))
    formset = OtherNameFormSet(request.POST, prefix="other")
    query = _lenient_query(form, formset)
    person = services.pick_existing(request.user, service, request.POST.get("pick", "")[:40], query)
    return redirect("people:detail", public_id=person.public_id)


@login_required
def edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Edit a person's details and other names; a stale save keeps the input and says why."""
    person: Person = services.editable_person(request.user, public_id)
    districts = _districts(request)
    if request.method != "POST":
        initial = {**EditForm.initial_for(person), "version": person.version}
        form = EditForm(initial=initial, districts=districts)
        names = [
            {"first_name": o.first_name, "last_name": o.last_name, "note": o.note} for o in person.other_names.all()
        ]
        formset = OtherNameFormSet(initial=names, prefix="other")
        return render(request, "people/edit.html", {"form": form, "formset": formset, "person": person})
    form = EditForm(request.POST, districts=districts)
    formset = OtherNameFormSet(request.POST, prefix="other")
    context = {"form": form, "formset": formset, "person": person}
    if not (form.is_valid() and formset.is_valid()):
        return render(request, "people/edit.html", context)
    data = form.person_data()
    if form.errors:
        return render(request, "people/edit.html", context)
    try:
        services.update_person(
            request.user,
            person,
            data,
            form.cleaned_data["version"],
            other_names=_other_names(formset),
            service=_acting_service(request),
        )
    except services.StaleVersion as exc:
        # Keep what they typed, now against the current version: saving again is a
        # choice made after seeing the message, not another silent overwrite.
        fresh = request.POST.copy()
        fresh["version"] = str(Person.objects.filter(pk=person.pk).values_list("version", flat=True).first())
        form = EditForm(fresh, districts=districts)
        form.is_valid()
        form.add_error(None, exc.message)
        context.update(form=form, stale=True)
        return render(request, "people/edit.html", context, status=409)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return render(request, "people/edit.html", context)
    messages.success(request, "Saved the changes.")
    return redirect("people:detail", public_id=person.public_id)
