"""The demo generator: deterministic, complete at small scale, pluggable, and safe to rerun."""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from waymark.access import rules
from waymark.access.constants import Restriction, Role, ServiceKind
from waymark.access.models import Area, Organisation, Service, SharingAgreement, User
from waymark.audit.models import AuditEvent
from waymark.casework.models import CaseNote, Episode
from waymark.core.demo import DEMO_LOGINS, DEMO_PASSWORD, SCALES, Step, discover_steps, stable_seed
from waymark.people.demo import references
from waymark.people.models import Person

# Keep the truth file out of the working tree (build/demo/ is for real runs).
TRUTH_FILE = Path(tempfile.gettempdir()) / f"waymark-test-demo-truth-{os.getpid()}.json"


def build(seed: int = 1, **options) -> str:
    out = io.StringIO()
    options.setdefault("truth_file", TRUTH_FILE)
    call_command("demo", scale="small", seed=seed, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


class _Undo(Exception):
    pass


def names_built_with(seed: int) -> dict[str, list[str]]:
    """Build the small demo, read back its names, and roll it all back."""
    names: dict[str, list[str]] = {}
    try:
        with transaction.atomic():
            build(seed)
            names = {
                "organisations": sorted(Organisation.objects.values_list("name", flat=True)),
                "services": sorted(Service.objects.values_list("name", flat=True)),
                "users": sorted(User.objects.values_list("username", flat=True)),
                "people": sorted(
                    f"{p.reference} {p.first_name} {p.last_name} {p.description} {p.registered_by_service.name} "
                    f"{p.date_of_birth} {p.birth_date_precision} {p.nationality} {p.phone}"
                    for p in Person.objects.select_related("registered_by_service")
                ),
                "notes": [
                    hashlib.sha256(
                        "\n".join(
                            f"{n.public_id} {n.person.reference} {n.contact_at} {n.kind} {n.body}"
                            for n in CaseNote.objects.select_related("person").order_by("public_id")
                        ).encode()
                    ).hexdigest()
                ],
                "truth": [TRUTH_FILE.read_text()],
            }
            raise _Undo
    except _Undo:
        pass
    return names


@pytest.fixture
def demo(db) -> Area:
    build()
    return Area.objects.get()


def test_steps_are_found_in_every_app_and_run_in_order():
    names = [step.name for step in discover_steps()]
    expected = [
        "access.structure",
        "access.users",
        "people.people",
        "people.match_keys",
        "casework.episodes",
        "casework.notes",
    ]
    assert [name for name in names if name in expected] == expected
    assert all(isinstance(step, Step) for step in discover_steps())


def test_seeds_are_stable_across_processes():
    # str hashes are salted per process; the demo must not depend on them.
    assert stable_seed(1, "people.people") == 2896547150204774285


def test_the_small_scale_has_the_structure_the_scale_table_asks_for(demo):
    scale = SCALES["small"]
    assert demo.name == scale.area
    assert demo.districts.count() == scale.districts
    assert Organisation.objects.filter(area=demo).count() == scale.organisations
    assert Service.objects.filter(organisation__area=demo).count() == scale.services
    assert User.objects.filter(area=demo).count() == scale.users
    assert Person.objects.count() == scale.people
    assert Episode.objects.count() > scale.people
    assert Episode.objects.filter(ended_on__isnull=True).exists()
    assert Episode.objects.filter(ended_on__isnull=False).exists()


def test_every_kind_of_service_and_every_role_exists(demo):
    kinds = set(Service.objects.values_list("kind", flat=True))
    assert kinds >= {
        ServiceKind.OUTREACH,
        ServiceKind.HOSTEL,
        ServiceKind.FLOATING_SUPPORT,
        ServiceKind.HEALTH_CASE_MANAGEMENT,
        ServiceKind.DROP_IN,
        ServiceKind.REFUGE,
    }
    roles = set(User.objects.values_list("memberships__role", flat=True))
    assert roles == set(Role.values)


def test_a_restricted_refuge_and_a_hidden_work_service_exist(demo):
    refuge = Service.objects.get(name="Safe Haven Refuge")
    assert refuge.kind == ServiceKind.REFUGE
    assert refuge.restricted
    hidden = Service.objects.get(hidden_work=True)
    assert not Service.objects.filter(kind=ServiceKind.REFUGE, restricted=False).exists()
    # Refuge residents are protected, the hidden service's people hidden.
    assert set(Person.objects.filter(registered_by_service=refuge).values_list("restriction", flat=True)) == {
        Restriction.PROTECTED
    }
    assert set(Person.objects.filter(registered_by_service=hidden).values_list("restriction", flat=True)) == {
        Restriction.HIDDEN
    }


def test_most_organisations_share_one_has_expired_and_one_never_signed(demo):
    organisations = Organisation.objects.filter(area=demo)
    current = organisations.with_current_agreement()
    expired = organisations.exclude(pk__in=current.values("pk")).filter(agreements__isnull=False).distinct()
    unsigned = organisations.filter(agreements__isnull=True)
    assert [org.name for org in expired] == ["Lone Pine Trust"]
    assert [org.name for org in unsigned] == ["Riverside Drop-in Collective"]
    assert current.count() == organisations.count() - 2
    assert SharingAgreement.objects.get(organisation__name="Lone Pine Trust").expires_on is not None


def test_the_demo_logins_exist_with_their_roles(demo):
    users = {user.username: user for user in User.objects.filter(username__in=[d.username for d in DEMO_LOGINS])}
    assert set(users) == {
        "outreach.worker",
        "hostel.worker",
        "refuge.worker",
        "viewer",
        "manager",
        "coordinator",
        "admin",
        "analyst",
    }
    assert len(DEMO_PASSWORD) >= 12
    assert users["admin"].check_password(DEMO_PASSWORD)
    ctx = {name: rules.context_for(user) for name, user in users.items()}
    outreach = Service.objects.get(name="Northway Street Outreach")
    hostel = Service.objects.get(name="Harbour House")
    refuge = Service.objects.get(name="Safe Haven Refuge")
    assert ctx["outreach.worker"].writing_service_ids == {outreach.pk}
    assert ctx["hostel.worker"].writing_service_ids == {hostel.pk}
    assert ctx["refuge.worker"].writing_service_ids == {refuge.pk}
    assert ctx["viewer"].service_ids and not ctx["viewer"].writing_service_ids
    assert ctx["manager"].manager_service_ids == {hostel.pk}
    assert ctx["coordinator"].is_coordinator
    assert ctx["admin"].is_area_admin
    assert ctx["analyst"].is_analyst_only
    # Everyone who acts for a service (and the coordinator, for their employer) is in a sharing organisation.
    assert all(c.shares for name, c in ctx.items() if name not in {"admin", "analyst"})


def test_pages_have_people_to_show_and_the_access_model_holds(demo):
    outreach_worker = User.objects.get(username="outreach.worker")
    refuge_worker = User.objects.get(username="refuge.worker")
    seen = Person.objects.visible_to(outreach_worker)
    assert seen.count() > 100
    assert not seen.filter(restriction=Restriction.HIDDEN).exists()
    assert Person.objects.visible_to(refuge_worker).filter(restriction=Restriction.PROTECTED).exists()
    assert not Person.objects.visible_to(User.objects.get(username="analyst")).exists()


def test_the_same_seed_builds_the_same_area_and_another_seed_another(db):
    first = names_built_with(7)
    assert first["people"]
    assert names_built_with(7) == first
    other = names_built_with(8)
    assert other["users"] != first["users"]
    assert other["people"] != first["people"]
    assert other["notes"] != first["notes"]


def test_if_empty_does_nothing_the_second_time(db):
    build(if_empty=True)
    counts = (User.objects.count(), Person.objects.count(), Episode.objects.count())
    out = build(if_empty=True)
    assert "left as it is" in out
    assert (User.objects.count(), Person.objects.count(), Episode.objects.count()) == counts
    assert Area.objects.count() == 1


def test_building_twice_without_if_empty_is_refused_clearly(demo):
    with pytest.raises(CommandError, match="already exists"):
        build()


def test_it_never_runs_in_production(db):
    with override_settings(PRODUCTION=True), pytest.raises(CommandError, match="never runs in production"):
        build()
    assert not Area.objects.exists()


def test_the_build_is_audited(demo):
    event = AuditEvent.objects.get(action="Built the small demo area")
    assert event.detail["seed"] == 1
    assert event.detail["rows"]["people.Person"] == 300


def test_demo_logins_prints_a_table_with_the_password(demo):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for login in DEMO_LOGINS:
        assert re.search(rf"{re.escape(login.username)}\s+{DEMO_PASSWORD}", text)


def test_demo_logins_says_so_when_there_is_no_demo(db):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "no demo logins" in out.getvalue()


def test_references_are_unique_well_formed_and_skip_those_taken():
    generated = references(3)
    first = [next(generated) for _ in range(50_000)]
    assert len(set(first)) == len(first)
    assert all(re.fullmatch(r"WM-[2-9A-HJ-NP-Z]{5}", ref) for ref in first[:1000])
    assert next(references(3, taken={first[0]})) == first[1]
    assert [next(references(4)) for _ in range(1)] != first[:1]
