"""Casework pages: a person's notes, writing and amending notes, and episodes.

Thin views: people, notes and episodes are found through `visible_to(user)`
querysets (so what the user may not see is a 404), and every change goes
through `casework.services`, which checks permission again and audits it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from waymark.access import rules
from waymark.casework import services
from waymark.casework.forms import EndEpisodeForm, KeyWorkerForm, NoteFilterForm, NoteForm, StartEpisodeForm
from waymark.casework.models import Episode
from waymark.core.pagination import CappedPaginator
from waymark.people.models import Person
from waymark.people.services import open_person

NOTES_PER_PAGE = 25


# --- helpers shared with the front page -----------------------------------------------------


def break_glass_url(person: Person, scope: str) -> str:
    """The break-glass page for this person, or "" until that page exists."""
    try:
        return reverse("record:break_glass", args=[person.public_id]) + f"?scope={scope}"
    except NoReverseMatch:
        return ""


def show_errors(form: Form, exc: ValidationError) -> None:
    """A service's ValidationError next to the field it names, else at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def acting_service(request: HttpRequest) -> Any:
    return getattr(request, "current_service", None)


def _person_for_writing(request: HttpRequest, public_id: UUID) -> Person:
    """A person the user may see, with `full_access`; not audited as an open (the write is)."""
    person = Person.objects.visible_to(request.user).with_full_access(request.user).filter(public_id=public_id).first()
    if person is None:
        raise Http404("No such person")
    return person


def _episode(request: HttpRequest, public_id: UUID) -> Episode:
    episode = (
        Episode.objects.visible_to(request.user)
        .select_related("person", "service__organisation", "key_worker")
        .filter(public_id=public_id)
        .first()
    )
    if episode is None:
        raise Http404("No such episode")
    ctx = rules.context_for(request.user)
    if episode.service_id not in ctx.writing_service_ids and not ctx.is_area_admin:
        raise PermissionDenied("Only a worker or manager of this service can change its episode.")
    return episode


# --- notes ---------------------------------------------------------------------------------


@login_required
def notes(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A person's case notes, as the user may read them; the read is audited and flagged."""
    view = open_person(request.user, public_id)
    episodes = list(services.episodes_of(view))
    services_seen = list({e.service_id: e.service for e in episodes}.values())
    filter_form = NoteFilterForm(request.GET or None, services=services_seen)
    filters = services.NoteFilters()
    if filter_form.is_valid():
        filters = services.NoteFilters(
            kind=filter_form.cleaned_data["kind"],
            service=filter_form.services.get(filter_form.cleaned_data["service"]),
        )
    read = services.notes_for(request.user, view, filters)
    page = CappedPaginator(read.notes, NOTES_PER_PAGE).get_page(request.GET.get("page"))
    ctx = rules.context_for(request.user)
    open_ids = {e.service_id for e in episodes if e.is_open}
    withheld = any(not note.text_readable for note in page.object_list)
    kept = {"kind": filters.kind, "service": request.GET.get("service", "") if filters.service else ""}
    kept = {name: value for name, value in kept.items() if value}
    extra = urlencode(kept) + "&" if kept else ""
    return render(
        request,
        "casework/notes.html",
        {
            "view": view,
            "person": view.person,
            "page": page,
            "read": read,
            "filter_form": filter_form,
            "extra_query": extra,
            "can_write": services.can_write_notes(request.user, acting_service(request), open_ids),
            "notes_glass_url": break_glass_url(view.person, "notes")
            if withheld and ctx.writing_service_ids and read.glass is None
            else "",
        },
    )


@login_required
def note_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Write a note for a person the acting service works with."""
    person = _person_for_writing(request, public_id)
    service = acting_service(request)
    open_ids = Episode.objects.filter(person=person, ended_on__isnull=True).values_list("service_id", flat=True)
    if not services.can_write_notes(request.user, service, open_ids):
        raise PermissionDenied("Only a worker of a service working with this person can write a note.")
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            note = services.write_note(
                request.user,
                person,
                service,
                contact_at=form.contact_at(),
                kind=form.cleaned_data["kind"],
                body=form.cleaned_data["body"],
                private_to_service=form.cleaned_data["private_to_service"],
                mentions=form.cleaned_data["mentions"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, "Note saved and signed off.")
            return redirect(reverse("casework:notes", args=[person.public_id]) + f"#note-{note.public_id}")
    return render(
        request,
        "casework/note_form.html",
        {"form": form, "person": person, "service": service, "back": reverse("casework:notes", args=[public_id])},
    )


@login_required
def note_amend(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Amend a note: show the original, take the correction, confirm, then sign it off."""
    note = services.notes_queryset(request.user).filter(public_id=public_id).first()
    if note is None:
        raise Http404("No such note")
    if note.service_id not in rules.context_for(request.user).writing_service_ids:
        raise PermissionDenied("Only a worker of the service that wrote this note can amend it.")
    local = timezone.localtime(note.contact_at)
    initial = {
        "contact_date": local.date(),
        "contact_time": local.strftime("%H:%M"),
        "kind": note.kind,
        "body": note.body,
        "private_to_service": note.private_to_service,
        "mentions": ", ".join(p.reference for p in note.visible_mentions),  # type: ignore[attr-defined]
    }
    form = NoteForm(request.POST or None, initial=initial)
    back = reverse("casework:notes", args=[note.person.public_id])
    confirming = False
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirmed") == "yes":
            try:
                amendment = services.amend_note(
                    request.user,
                    note,
                    body=form.cleaned_data["body"],
                    kind=form.cleaned_data["kind"],
                    contact_at=form.contact_at(),
                    private_to_service=form.cleaned_data["private_to_service"],
                    mentions=form.cleaned_data["mentions"],
                )
            except ValidationError as exc:
                show_errors(form, exc)
            else:
                messages.success(request, "Amendment saved and signed off. The original note is kept.")
                return redirect(f"{back}#note-{amendment.public_id}")
        else:
            confirming = True
    return render(
        request,
        "casework/note_amend.html",
        {"form": form, "note": note, "person": note.person, "confirming": confirming, "back": back},
    )


# --- episodes ------------------------------------------------------------------------------


@login_required
def episode_start(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Start one of the user's services working with a person."""
    person = (
        services.open_people_for_episodes(request.user)
        .with_full_access(request.user)
        .filter(public_id=public_id)
        .first()
    )
    if person is None:
        raise Http404("No such person")
    offered = services.services_to_start(request.user)
    if not offered.exists():
        raise PermissionDenied("Only a worker or manager of a service can start an episode.")
    key_workers = services.key_worker_choices_for(offered)
    form = StartEpisodeForm(
        request.POST or None,
        services=offered,
        key_workers=key_workers,
        initial={"service": acting_service(request)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.start_episode(
                request.user,
                person,
                form.cleaned_data["service"],
                started_on=form.cleaned_data["started_on"],
                key_worker=form.cleaned_data["key_worker"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, f"{form.cleaned_data['service'].name} is now working with them.")
            return redirect("people:detail", public_id=person.public_id)
    return render(
        request,
        "casework/episode_start.html",
        {"form": form, "person": person, "back": reverse("people:detail", args=[person.public_id])},
    )


def _stale(request: HttpRequest, form: Form, episode: Episode) -> None:
    """Keep what was typed, say what happened, and offer the save again against the new version."""
    fresh = Episode.objects.filter(pk=episode.pk).values_list("version", flat=True).first()
    form.data = form.data.copy()
    form.data["version"] = str(fresh)
    form.add_error(None, services.StaleRecord.message)


@login_required
def episode_key_worker(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Change an open episode's key worker."""
    episode = _episode(request, public_id)
    form = KeyWorkerForm(
        request.POST or None,
        key_workers=services.key_worker_choices(episode.service),
        initial={"key_worker": episode.key_worker, "version": episode.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_key_worker(
                request.user, episode, form.cleaned_data["key_worker"], version=form.cleaned_data["version"]
            )
        except services.StaleRecord:
            _stale(request, form, episode)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, "Key worker changed.")
            return redirect("people:detail", public_id=episode.person.public_id)
    return render(
        request,
        "casework/episode_key_worker.html",
        {"form": form, "episode": episode, "back": reverse("people:detail", args=[episode.person.public_id])},
    )


@login_required
def episode_end(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """End an episode, after the user confirms on this page."""
    episode = _episode(request, public_id)
    if not episode.is_open:
        raise Http404("This episode has already ended")
    form = EndEpisodeForm(request.POST or None, initial={"version": episode.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.end_episode(
                request.user,
                episode,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
                detail=form.cleaned_data["detail"],
                version=form.cleaned_data["version"],
            )
        except services.StaleRecord:
            _stale(request, form, episode)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, f"{episode.service.name} has stopped working with them.")
            return redirect("people:detail", public_id=episode.person.public_id)
    return render(
        request,
        "casework/episode_end.html",
        {"form": form, "episode": episode, "back": reverse("people:detail", args=[episode.person.public_id])},
    )
