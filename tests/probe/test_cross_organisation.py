"""The cross-organisation probe: every page and API route, as everyone who must not see.

Routes are found by walking the URL resolver, so a page or endpoint added later
is probed without touching this file. Each route taking an id is filled with the
ids of every object belonging to a record (the person, their episodes, notes,
break-glass rows and street contacts); list routes get `?person=` and `?q=` for the record. For each
of an ordinary, a protected and a hidden record, every response body — pages,
JSON, CSV exports and search results — is searched for what that observer must
not read: names, dates of birth, where they were met, note text and, for hidden
records, even the reference.

Positive controls show the secrets do appear for the services working with each
person, so an empty page cannot pass for a safe one.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.conftest import signed_in
from waymark.casework.models import CaseNote
from waymark.outreach.models import StreetContact

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("static/", "media/", "__", "bench/", "accounts/logout", "api/v1/docs", "api/v1/schema")
PARAM = re.compile(r"<(?:[^>:]+:)?(?P<name>[^>]+)>|\(\?P<(?P<rname>[^>]+)>[^)]*\)")
OBSERVERS = ("solo_worker", "hostel_worker", "viewer", "coordinator", "analyst", "outsider", "anonymous")
RECORDS = ("ordinary", "protected", "hidden")


@dataclass(frozen=True)
class Secret:
    """What one record holds that must not leak."""

    first_name: str
    last_name: str
    dob: datetime.date
    note_text: str
    reference: str
    place: str  # where a street contact met them: whereabouts go with identity

    def identity(self) -> list[str]:
        d = self.dob
        return [
            self.place,
            self.first_name,
            self.last_name,
            d.isoformat(),
            d.strftime("%d/%m/%Y"),
            f"{d.day} {d:%B %Y}",
            f"{d.day} {d:%b %Y}",
        ]


# Who may read what, as the design states it (DESIGN.md, "The access model").
# identity: names and date of birth; note: the text of the working service's note.
MAY_READ = {
    # Dan-ordinary works with the outreach team; Harbour and City Partners share with Northway.
    "ordinary": {"identity": {"hostel_worker", "viewer", "coordinator"}, "note": set()},
    # Refuge residents: others see only that a record exists and whom to contact.
    "protected": {"identity": set(), "note": set()},
    "hidden": {"identity": set(), "note": set()},
}


def _unique(word: str) -> str:
    return word + "ixq"


@pytest.fixture
def probe(cast) -> dict[str, Any]:
    """Distinctive names, dates of birth and notes on the cast's three records."""
    setup = {
        "ordinary": (cast.person, cast.outreach, cast.outreach_worker, datetime.date(1971, 3, 14)),
        "protected": (cast.protected_person, cast.refuge, cast.refuge_worker, datetime.date(1984, 11, 29)),
        "hidden": (cast.hidden_person, cast.refuge, cast.refuge_worker, datetime.date(1992, 7, 23)),
    }
    secrets: dict[str, Secret] = {}
    for label, (person, service, author, dob) in setup.items():
        person.first_name = _unique("Zephyr" + label.capitalize())
        person.last_name = _unique("Quill" + label.capitalize())
        person.date_of_birth = dob
        person.birth_date_precision = "exact"
        person.save()
        _refresh_keys(person)
        note_text = f"Probe note text {label} {person.public_id.hex[:8]} about the move-on plan"
        now = timezone.now()
        CaseNote.objects.create(
            person=person,
            service=service,
            author=author,
            contact_at=now - datetime.timedelta(hours=2),
            kind="face_to_face",
            body=note_text,
            signed_off_at=now,
        )
        place = _unique(f"Doorway of {label.capitalize()}vane Arcade")
        StreetContact.objects.create(
            area_id=service.organisation.area_id,
            service=service,
            recorded_by=author,
            person=person,
            seen_at=now - datetime.timedelta(hours=3),
            seen_on=timezone.localdate(now - datetime.timedelta(hours=3)),
            place=place,
            latitude="53.481234",
            longitude="-2.241234",
            seen_doing="bedded_down",
            rough_sleeping=service.kind == "outreach",
        )
        secrets[label] = Secret(person.first_name, person.last_name, dob, note_text, person.reference, place)
    return {"secrets": secrets, "people": {label: setup[label][0] for label in setup}}


def _refresh_keys(person: Any) -> None:
    try:
        from waymark.people.matching import refresh_keys
    except ImportError:  # before the duplicate check existed
        return
    refresh_keys(person)


def _routes() -> list[tuple[str, list[str]]]:
    """(route, parameter names) for every URL pattern, Django and DRF regex alike."""
    found: list[tuple[str, list[str]]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            text = str(pattern.pattern).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + text)
                continue
            assert isinstance(pattern, URLPattern)
            route = prefix + text
            if route.startswith(SKIP_PREFIXES) or r"\.(?P<format>" in route:
                continue
            names = [m["name"] or m["rname"] for m in PARAM.finditer(route)]
            found.append((route, names))

    walk(get_resolver().url_patterns, "")
    return sorted({(r, tuple(n)) for r, n in found})  # type: ignore[arg-type]


def _fill(route: str, value: str) -> str:
    return "/" + PARAM.sub(value, route).replace("\\", "")


def _ids_of(person: Any) -> list[str]:
    """The public ids of everything belonging to the person: the record, episodes, notes, glass."""
    from waymark.access.models import BreakGlass
    from waymark.casework.models import Episode

    ids = [str(person.public_id)]
    ids += [str(pk) for pk in Episode.objects.filter(person=person).values_list("public_id", flat=True)]
    ids += [str(pk) for pk in CaseNote.objects.filter(person=person).values_list("public_id", flat=True)]
    ids += [str(pk) for pk in BreakGlass.objects.filter(person=person).values_list("public_id", flat=True)]
    ids += [str(pk) for pk in StreetContact.objects.filter(person=person).values_list("public_id", flat=True)]
    return ids


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _client(cast: Any, who: str) -> Client:
    if who == "anonymous":
        return Client(raise_request_exception=False)
    client = signed_in(getattr(cast, who))
    client.raise_request_exception = False
    return client


def _forbidden(label: str, who: str, secret: Secret) -> list[str]:
    rules = MAY_READ[label]
    words = []
    if who not in rules["identity"]:
        words += secret.identity()
    if who not in rules["note"]:
        words.append(secret.note_text)
    if label == "hidden":
        words.append(secret.reference)
    return words


def _requests(route: str, params: list[str], person: Any, secret: Secret) -> list[str]:
    if params:
        return [_fill(route, value) for value in _ids_of(person)]
    # Searched for in lower case, so a page echoing the query back is not mistaken
    # for a leak: the secrets are matched case-sensitively.
    path = "/" + route.replace("\\", "")
    return [f"{path}?person={person.public_id}&q={secret.last_name.lower()}", f"{path}?q={secret.reference.lower()}"]


def _match_posts(secret: Secret) -> list[tuple[str, dict[str, Any]]]:
    fields = {
        "first_name": secret.first_name.lower(),
        "last_name": secret.last_name.lower(),
        "date_of_birth": secret.dob.isoformat(),
    }
    return [("/api/v1/people/match/", fields), ("/people/register/check/", fields)]


@pytest.mark.parametrize("who", OBSERVERS)
def test_no_route_shows_an_observer_what_they_must_not_read(cast, probe, who):
    client = _client(cast, who)
    leaks, errors, probed = [], [], 0
    routes = _routes()
    for label in RECORDS:
        person, secret = probe["people"][label], probe["secrets"][label]
        forbidden = _forbidden(label, who, secret)
        for route, params in routes:
            for url in _requests(route, list(params), person, secret):
                response = client.get(url)
                probed += 1
                if response.status_code >= 500:
                    errors.append(f"GET {url}: HTTP {response.status_code}")
                body = _body(response)
                leaks += [f"GET {url} ({response.status_code}) shows {word!r}" for word in forbidden if word in body]
        for url, data in _match_posts(secret):
            if url.startswith("/api/"):
                response = client.post(url, data, content_type="application/json")
            else:
                response = client.post(url, data)
            body = _body(response)
            # The duplicate check may say a protected record exists, never whose it is.
            leaks += [f"POST {url} shows {word!r}" for word in forbidden if word in body]
    assert probed > 100, f"only {probed} requests: the route walk found too little"
    assert not errors, "\n".join(errors)
    assert not leaks, "\n".join(leaks)


WORKING = {"ordinary": "outreach_worker", "protected": "refuge_worker", "hidden": "refuge_worker"}


@pytest.mark.parametrize("label", RECORDS)
def test_the_working_service_does_see_the_secrets(cast, probe, label):
    """Positive control: the probe's words are on the pages of the service working with the person."""
    client = _client(cast, WORKING[label])
    person, secret = probe["people"][label], probe["secrets"][label]
    page = _body(client.get(f"/people/{person.public_id}/"))
    assert secret.first_name in page and secret.last_name in page
    notes = _body(client.get(f"/people/{person.public_id}/notes/"))
    assert secret.note_text in notes
    api = _body(client.get(f"/api/v1/notes/?person={person.public_id}"))
    assert secret.note_text in api
    contacts = _body(client.get(f"/outreach/people/{person.public_id}/contacts/"))
    assert secret.place in contacts
