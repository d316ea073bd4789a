"""Street contact pages: recording a contact, reading one, linking it to a record, and the lists.

Thin views: contacts are read through `outreach.services` (which starts from
`StreetContact.objects.visible_to(user)`, so a contact the user may not see is a
404, the same as one that does not exist), and every change goes through
`record_contact` or `link_contact`, which check permission again and audit.
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from waymark.access import rules
from waymark.access.models import District
from waymark.casework.services import key_worker_choices
from waymark.core.pagination import CappedPaginator
from waymark.outreach import services
from waymark.outreach.forms_contacts import NOT_FOUND, RECORD, ContactForm, DayForm, LinkForm
from waymark.outreach.models import ActionTaken, ObservedNeed, StreetContact
from waymark.people.models import Person
from waymark.people.services import open_person

PAGE_SIZE = 50


def _acting_service(request: HttpRequest) -> Any:
    return getattr(request, "current_service", None)


def _can_write(request: HttpRequest, service: Any) -> bool:
    return service is not None and service.pk in rules.context_for(request.user).writing_service_ids


def _show_errors(form: Any, exc: ValidationError) -> None:
    """A service's ValidationError next to the field it names, else at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(form.field_for(name), errors)
    else:
        form.add_error(None, exc.messages)


def _districts(request: HttpRequest) -> QuerySet[District]:
    area_id = rules.context_for(request.user).area_id
    return District.objects.filter(area_id=area_id).order_by("name") if area_id is not None else District.objects.none()


def _people(request: HttpRequest) -> QuerySet[Person]:
    """People the user sees in full: the only ones a contact may name."""
    return Person.objects.fully_visible_to(request.user)  # type: ignore[arg-type]


def _contact(request: HttpRequest, contact_id: UUID) -> StreetContact:
    contact = (
        services.contacts_for(request.user)
        .select_related("service__organisation")
        .prefetch_related("workers")
        .filter(public_id=contact_id)
        .first()
    )
    if contact is None:
        raise Http404("No such contact")
    return contact


# --- recording ---------------------------------------------------------------------------------


@login_required
def contact_new(request: HttpRequest) -> HttpResponse:
    """Record a street contact for the service the user acts for."""
    service = _acting_service(request)
    if not _can_write(request, service):
        raise PermissionDenied("Only a worker or manager acting for their service can record a street contact.")
    people = _people(request)
    workers = key_worker_choices(service)
    initial: dict[str, Any] = {"workers": [request.user]}
    prefill = _prefill(people, request.GET.get("person", ""))
    if prefill is not None:
        initial.update(identified=RECORD, reference=prefill.reference)
    form = ContactForm(
        request.POST or None, initial=initial, people=people, workers=workers, districts=_districts(request)
    )
    if request.method == "POST" and form.is_valid():
        try:
            contact, created = services.record_contact(request.user, service, form.details())
        except Http404:
            # The person became one the user may not see between the form and the save.
            form.add_error("reference", NOT_FOUND)
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, "Street contact recorded." if created else "This contact was already saved.")
            return redirect("outreach:contact_detail", contact_id=contact.public_id)
    return render(request, "outreach/contact_form.html", {"form": form, "service": service, "prefill": prefill})


def _prefill(people: QuerySet[Person], raw: str) -> Person | None:
    """The person named by `?person=<id>` from their page, if the user sees them in full."""
    try:
        public_id = UUID(raw[:40])
    except ValueError:
        return None
    return people.filter(public_id=public_id).first()


# --- one contact -------------------------------------------------------------------------------


def _render_detail(
    request: HttpRequest, contact: StreetContact, form: Form | None = None, confirming: bool = False
) -> HttpResponse:
    can_link = contact.person_id is None and _can_write_for_contact(request, contact)
    if can_link and form is None:
        form = LinkForm(people=Person.objects.none())
    context = {
        "contact": contact,
        "workers": list(contact.workers.all()),
        "actions": _labels(ActionTaken, contact.actions),
        "needs": _labels(ObservedNeed, contact.needs),
        "can_link": can_link,
        "link_form": form,
        "confirming": confirming,
    }
    return render(request, "outreach/contact_detail.html", context)


def _labels(choices: Any, codes: list[str]) -> list[str]:
    return [choices(code).label for code in codes if code in choices.values]


def _can_write_for_contact(request: HttpRequest, contact: StreetContact) -> bool:
    return contact.service_id in rules.context_for(request.user).writing_service_ids


@login_required
def contact_detail(request: HttpRequest, contact_id: UUID) -> HttpResponse:
    """Everything recorded about one contact the user may see (the read is audited)."""
    contact = _contact(request, contact_id)
    services.record_contact_read(request.user, contact)
    return _render_detail(request, contact)


@login_required
@require_POST
def contact_link(request: HttpRequest, contact_id: UUID) -> HttpResponse:
    """Link a contact with someone not yet identified to their record: check, confirm, then link."""
    contact = _contact(request, contact_id)
    if contact.person_id is not None:
        messages.info(request, "This contact is already linked to a record.")
        return redirect("outreach:contact_detail", contact_id=contact.public_id)
    if not _can_write_for_contact(request, contact):
        raise PermissionDenied("Only a worker or manager of the service that recorded it can link a contact.")
    form = LinkForm(request.POST, people=_people(request))
    if not form.is_valid():
        return _render_detail(request, contact, form)
    if not form.is_confirmed:
        return _render_detail(request, contact, form, confirming=True)
    try:
        services.link_contact(request.user, contact, form.person)
    except Http404:
        form.add_error("reference", NOT_FOUND)
    except ValidationError as exc:
        _show_errors(form, exc)
    else:
        messages.success(request, f"Contact linked to {form.person.reference}.")
        return redirect("outreach:contact_detail", contact_id=contact.public_id)
    return _render_detail(request, contact, form)


# --- lists -------------------------------------------------------------------------------------


def day_counts(contacts: QuerySet[StreetContact]) -> dict[str, int]:
    """Contacts, different people with a record seen rough sleeping, and contacts with someone
    not yet identified (they may be the same person twice, so they are counted apart)."""
    return contacts.order_by().aggregate(
        contacts=Count("id"),
        rough_sleeping=Count("person", filter=Q(rough_sleeping=True, person__isnull=False), distinct=True),
        unidentified=Count("id", filter=Q(person__isnull=True)),
    )


@login_required
def contact_list(request: HttpRequest) -> HttpResponse:
    """The acting service's contacts on one day (UK time), newest first, with the day's counts."""
    service = _acting_service(request)
    today = services.london_day(timezone.now())
    form = DayForm(request.GET or None)
    day = today
    if form.is_bound and form.is_valid() and form.cleaned_data["day"]:
        day = form.cleaned_data["day"]
    context: dict[str, Any] = {"service": service, "form": form, "day": day, "today": today}
    if service is not None:
        contacts = services.shift_contacts(request.user, service, day)
        context.update(
            page=CappedPaginator(contacts, PAGE_SIZE).get_page(request.GET.get("page")),
            counts=day_counts(contacts),
            previous_day=day - datetime.timedelta(days=1),
            next_day=day + datetime.timedelta(days=1) if day < today else None,
            extra_query=f"day={day.isoformat()}&",
            can_record=_can_write(request, service),
        )
    return render(request, "outreach/contacts_list.html", context)


@login_required
def person_contact_list(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """A person's street contacts, for those who see the person in full (the open is audited)."""
    view = open_person(request.user, person_id)
    if not view.is_full:
        # Where and when a protected person was met is their history, not whom to contact.
        raise Http404("No such person")
    page = CappedPaginator(services.person_contacts(request.user, view.person), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    count = page.paginator.count
    if page.paginator.is_capped:  # type: ignore[attr-defined]
        caption = f"More than {page.paginator.cap:,} contacts, newest first"  # type: ignore[attr-defined]
    else:
        caption = f"{count} contact{'' if count == 1 else 's'}, newest first"
    return render(
        request,
        "outreach/contacts_person.html",
        {
            "person": view.person,
            "view": view,
            "page": page,
            "caption": caption,
            "can_record": _can_write(request, _acting_service(request)),
            "record_url": reverse("outreach:contact_new") + f"?person={view.person.public_id}",
        },
    )
