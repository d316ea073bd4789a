"""axe-core on every page that exists, and every page at 320 px wide.

The pages are found by walking the URL resolver, so a page added later is checked
without touching this file: each GET route outside the API and static files that
takes no arguments, or only UUID public ids (filled with objects of the cast), is
probed with the Django test client to find a role that sees it as an HTML page;
that role then opens it in Chromium through the real login, and axe-core runs on it.
A route that no role could open fails the test, so nothing is skipped silently:
if a new route is not a page, say why in NOT_PAGES.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.browser.conftest import axe_violations, narrow_overflow, sign_in
from tests.conftest import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_mfa")]

SKIP_PREFIXES = ("api/", "static/", "media/", "__")
# Routes that are not pages a person reads, by URL name ("ns:name") or route.
NOT_PAGES: dict[str, str] = {
    "healthz": "plain-text health check",
    "session-keepalive": "JSON endpoint for the timeout warning",
    "logout": "POST only",
    "switch-service": "POST only",
    # Pages that exist only in the middle of a flow; the tests named check them with axe-core.
    "accounts/mfa/": "the code page of signing in: test_mfa.py",
    "accounts/recovery-codes/": "shown once after MFA set-up: test_mfa.py",
    "accounts/tokens/<uuid:public_id>/created/": "shown once after making a token: test_pages_after_a_form_pass_axe",
    "people:register_check": "POST only: the HTMX partial of the live duplicate check (test_shared_record.py)",
    "people:register_pick": "POST only: choosing an existing record in the duplicate check",
    "outreach:contact_link": "POST only: linking a contact (its confirmation is on the contact page)",
    "outreach:alert_assign": "POST only: assigning an alert",
    "outreach:alert_outcome": "POST only: recording an alert's outcome",
    "outreach:alert_tell": "the confirmation after a POST from the alert page (test_alerts_queue.py)",
    "outreach:shift_sw": "the shift page's service worker script",
    "outreach:figures_csv": "a CSV download",
    "outreach:figures_xlsx": "a spreadsheet download",
}
# Modules whose `add_walk_objects(cast)` adds the objects their pages need.
WALK_HOOKS = (
    "tests.assessments.walk",
    "tests.needs.walk",
    "tests.support.walk",
    "tests.casework.walk_consent",
    "tests.casework.walk_appointments",
    "tests.casework.walk_caseload",
)
ANONYMOUS = "anonymous"
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass
class Route:
    route: str  # e.g. "people/<uuid:public_id>/"
    name: str
    params: list[tuple[str, str]] = field(default_factory=list)  # (converter, name)


def discover_routes() -> tuple[list[Route], list[str]]:
    """Every route that could be a GET page, and the ones left out with the reason."""
    routes: list[Route] = []
    left_out: list[str] = []

    def walk(patterns: list[Any], prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = ":".join(filter(None, [namespace, pattern.namespace])) or None
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
                continue
            assert isinstance(pattern, URLPattern)
            route = prefix + str(pattern.pattern)
            name = ":".join(filter(None, [namespace, pattern.name])) or route
            if route.startswith(SKIP_PREFIXES) or name in NOT_PAGES or route in NOT_PAGES:
                continue
            if route.startswith("^") or "(?P" in route or "(" in route:
                left_out.append(f"/{route} ({name}): a regular-expression route")
                continue
            params = [(m["converter"] or "str", m["name"]) for m in PARAM.finditer(route)]
            if any(converter != "uuid" and not pname.endswith("public_id") for converter, pname in params):
                left_out.append(f"/{route} ({name}): takes arguments other than public ids")
                continue
            routes.append(Route(route=route, name=name, params=params))

    walk(get_resolver().url_patterns, "", None)
    return routes, left_out


def _norm(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def public_objects() -> list[tuple[str, Any]]:
    """Every object in the test database with a public id, as (model words, object)."""
    found = []
    for model in apps.get_models():
        if "public_id" not in {f.name for f in model._meta.get_fields()}:
            continue
        meta = model._meta
        words = {_norm(meta.model_name), _norm(str(meta.verbose_name)), _norm(str(meta.verbose_name_plural))}
        for obj in model._default_manager.all()[:40]:
            found.append(("|".join(sorted(words)), obj))
    return found


def candidates_for(route: Route, param_index: int, objects: list[tuple[str, Any]]) -> list[UUID]:
    """Public ids to try for one parameter, the model named by the URL segment before it first."""
    before = route.route.split("<")[param_index].rstrip("/").split("/")[-1] if "<" in route.route else ""
    segment = _norm(before)

    def score(item: tuple[str, Any]) -> int:
        words = item[0].split("|")
        if segment and any(word == segment or word.startswith(segment) or segment.startswith(word) for word in words):
            return 0
        return 1

    return [obj.public_id for _, obj in sorted(objects, key=score)]


def fill(route: Route, values: list[UUID]) -> str:
    values_iter = iter(values)
    return "/" + PARAM.sub(lambda _m: str(next(values_iter)), route.route)


def is_html_page(response: Any) -> bool:
    return response.status_code == 200 and response.get("Content-Type", "").startswith("text/html")


def roles_for(route: Route) -> list[str]:
    if route.route.startswith(("manage/", "audit/")):
        return ["area_admin", "manager", "coordinator", "outreach_worker"]
    return ["outreach_worker", "refuge_worker", "manager", "area_admin", "coordinator", "analyst", "viewer"]


def add_more_objects(cast: Any) -> None:
    """Objects the cast lacks that pages may show: API tokens, a note, a break-glass, a notice,
    street contacts (one not yet identified) and an alert."""
    from django.utils import timezone

    from waymark.access.models import ServiceNotice
    from waymark.access.services import create_api_token
    from waymark.access.services_record import break_glass
    from waymark.casework.models import CaseNote

    for who in ("outreach_worker", "manager", "area_admin"):
        create_api_token(getattr(cast, who), "Browser test token")
    now = timezone.now()
    CaseNote.objects.create(
        person=cast.person,
        service=cast.outreach,
        author=cast.outreach_worker,
        contact_at=now,
        kind="face_to_face",
        body="Talked about a hostel place; he will think about it.",
        signed_off_at=now,
    )
    break_glass(
        cast.hostel_worker, cast.person, "notes", "safeguarding", "Reported missing; checking his last contact."
    )
    ServiceNotice.objects.create(service=cast.outreach, message="WM-TEST1 is now protected.")
    from waymark.outreach.models import Alert
    from waymark.outreach.services import ContactDetails, record_contact

    for person, description in ((cast.person, ""), (None, "Man, 40s, green sleeping bag")):
        details = ContactDetails(
            seen_at=now,
            seen_doing="bedded_down",
            person=person,
            description=description,
            place="Doorway of 12 High Street",
            latitude="53.48",
            longitude="-2.24",
        )
        record_contact(cast.outreach_worker, cast.outreach, details)
    Alert.objects.create(
        area=cast.area,
        received_at=now,
        description="A man in a doorway on High Street, grey coat.",
        location="12 High Street",
        latitude="53.48",
        longitude="-2.24",
    )
    # Each part of the casework cycle adds what its pages show (tests/<part>/walk.py).
    for module in WALK_HOOKS:
        import_module(module).add_walk_objects(cast)


@dataclass
class Plan:
    visits: dict[str, list[str]] = field(default_factory=dict)  # role -> urls
    unreachable: list[str] = field(default_factory=list)
    forbidden_page: tuple[str, str] | None = None  # (role, url) that shows the 403 page


def plan_visits(cast: Any) -> Plan:
    """Find, with the test client, which role sees each route as a page."""
    routes, left_out = discover_routes()
    for line in left_out:
        print("not checked:", line)
    objects = public_objects()
    clients: dict[str, Client] = {ANONYMOUS: Client(raise_request_exception=False)}
    plan = Plan()

    def client(role: str) -> Client:
        if role not in clients:
            clients[role] = signed_in(getattr(cast, role))
            # A broken page is reported with the others, not raised from the middle of the walk.
            clients[role].raise_request_exception = False
        return clients[role]

    for route in routes:
        found = False
        if not route.params:
            urls = [fill(route, [])]
        elif len(route.params) == 1:
            urls = [fill(route, [value]) for value in candidates_for(route, 0, objects)]
        else:
            urls = [fill(route, [candidates_for(route, i, objects)[0] for i in range(len(route.params))])]
        statuses = set()
        for role in [ANONYMOUS, *roles_for(route)]:
            for url in urls:
                response = client(role).get(url)
                statuses.add(response.status_code)
                if response.status_code >= 500:
                    plan.unreachable.append(f"{url} ({route.name}) as {role}: HTTP {response.status_code}")
                    found = True
                    break
                shows_403_page = response.status_code == 403 and response.get("Content-Type", "").startswith(
                    "text/html"
                )
                if shows_403_page and plan.forbidden_page is None and role != ANONYMOUS:
                    plan.forbidden_page = (role, url)
                if is_html_page(response):
                    plan.visits.setdefault(role, []).append(url)
                    found = True
                    break
                if response.status_code == 200:
                    print(f"not checked: {url} ({route.name}): not HTML ({response.get('Content-Type')})")
                    found = True
                    break
            if found:
                break
        if not found and statuses != {405}:
            plan.unreachable.append(f"/{route.route} ({route.name}): no role saw a page; statuses {sorted(statuses)}")
    if plan.forbidden_page is None:
        admin_pages = [r for r in routes if r.route.startswith(("manage/", "audit/")) and not r.params]
        for route in admin_pages:
            response = client("outreach_worker").get(fill(route, []))
            if response.status_code == 403 and response.get("Content-Type", "").startswith("text/html"):
                plan.forbidden_page = ("outreach_worker", fill(route, []))
                break
    # signed_in() gave each probed user a confirmed authenticator; with one, signing in in the
    # browser would stop at the code page, so take them away again.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(name="Test phone").delete()
    # Navigation differs by role: every role that signs in checks its home page too.
    for role, urls in plan.visits.items():
        if role != ANONYMOUS and "/" not in urls:
            urls.insert(0, "/")
    return plan


def pass_second_factor(page: Any, user: Any) -> None:
    """Mark the browser's session as past MFA, as the probing client's was, so pages that need a
    verified session (new recovery codes, say) show to the browser as they did to the probe."""
    from django.conf import settings
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    key = next(c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="Test phone", defaults={"confirmed": True})
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.save()


def test_every_page_passes_axe_and_fits_320_px(cast, new_page):
    add_more_objects(cast)
    plan = plan_visits(cast)
    plan.visits.setdefault(ANONYMOUS, [])
    plan.visits[ANONYMOUS] += ["/accounts/login/", "/no-such-page/"]
    plan.visits.setdefault("outreach_worker", []).append("/people/00000000-0000-0000-0000-000000000000/")
    if plan.forbidden_page:  # the 403 page, as a worker who opens an admin page sees it
        role, url = plan.forbidden_page
        plan.visits.setdefault(role, []).append(url)

    violations: list[str] = []
    too_wide: list[str] = []
    checked = 0
    for role, urls in plan.visits.items():
        page = new_page()
        if role != ANONYMOUS:
            sign_in(page, getattr(cast, role))
            pass_second_factor(page, getattr(cast, role))
        for url in dict.fromkeys(urls):
            response = page.goto(url)
            page.wait_for_load_state("load")
            where = f"{url} as {role} (HTTP {response.status if response else '?'}: {page.title()})"
            print("axe-core:", where)
            if urlsplit(page.url).path != urlsplit(url).path:
                violations.append(f"{where}: the browser was sent to {page.url} instead")
                continue
            checked += 1
            violations += [f"{where}: {line}" for line in axe_violations(page)]
            width = narrow_overflow(page)
            if width is not None:
                too_wide.append(f"{where}: document is {width}px wide at 320px")
        page.context.close()

    print(f"axe-core checked {checked} page views for roles {sorted(plan.visits)}")
    problems = []
    if violations:
        problems.append("Serious or critical accessibility violations:\n  " + "\n  ".join(violations))
    if too_wide:
        problems.append("Pages that scroll sideways at 320px:\n  " + "\n  ".join(too_wide))
    if plan.unreachable:
        problems.append(
            "Routes no role could open as a page (give the cast the object they need, "
            "or add them to NOT_PAGES with the reason):\n  " + "\n  ".join(plan.unreachable)
        )
    assert not problems, "\n\n".join(problems)
    assert checked >= 5


def test_pages_after_a_form_pass_axe(cast, page):
    """Error states and pages reached only by sending a form."""
    problems: list[str] = []
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(cast.viewer.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.locator(".govuk-error-summary").is_visible()
    problems += [f"login with an error: {line}" for line in axe_violations(page)]

    sign_in(page, cast.outreach_worker)
    page.goto("/accounts/tokens/new/")
    page.get_by_role("button").filter(has_text=re.compile("token", re.I)).last.click()
    problems += [f"new token with an error: {line}" for line in axe_violations(page)]
    page.get_by_label("Name").fill("My spreadsheet")
    page.get_by_role("button").filter(has_text=re.compile("token", re.I)).last.click()
    assert "/created/" in page.url, page.url
    problems += [f"token created: {line}" for line in axe_violations(page)]
    assert not problems, "Serious or critical accessibility violations:\n  " + "\n  ".join(problems)


def test_the_checks_catch_a_violation_and_a_wide_page(page):
    """The harness is not vacuous: a missing alt text and an over-wide page are reported."""
    page.goto("/accounts/login/")
    page.evaluate(
        """() => {
            const img = document.createElement("img");
            img.src = "/static/waymark/favicon.svg";
            document.querySelector("main").appendChild(img);
            const wide = document.createElement("div");
            wide.style.width = "900px";
            wide.style.height = "10px";
            document.querySelector("main").appendChild(wide);
        }"""
    )
    assert any("image-alt" in line for line in axe_violations(page))
    assert narrow_overflow(page) is not None
