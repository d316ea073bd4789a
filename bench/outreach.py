"""Street outreach at scale: the quarterly figures, a hotspot layer, the alert queue and recording
contacts under 50 outreach workers at once (issue 5's speed targets).

    .venv/bin/python bench/outreach.py --scale metro   # about 5 minutes to build, 3 to measure

1. Creates a fresh PostgreSQL database (waymark_bench_outreach on the local server), migrates
   it and fills it with `manage.py demo --scale SCALE --seed 1` (at `metro`: 150,000 people
   and 3 M street contacts over 25 years), timing the build.
2. In-process, against that database: the rough-sleeping figures for the whole area for the
   last whole quarter (`outreach.figures.rough_sleeping_figures`, what the figures page
   calls, as an area admin) and the hotspot layer for the same quarter
   (`outreach.maps.hotspots` and its GeoJSON, what the map page and API serve, as an
   outreach worker), each several times: median and max in seconds.
3. Serves Waymark with gunicorn on 127.0.0.1 in production mode and, over HTTP:
   - the alert queue page (`/outreach/alerts/`, the default page, page 2 and "all") as an
     outreach worker whose team has open alerts, signed in through the login form, with the
     bounded `Loader` of bench/_common.py: p50/p95;
   - recording street contacts (`POST /api/v1/contacts/`) with locust, run as its own
     process (bench/locustfile_outreach.py): 50 users, each a different outreach worker of
     the demo with their own API token and `X-Waymark-Service`, a fresh idempotency key per
     contact; p95, requests and failures from locust's CSV, and the contacts the database
     gained, which must equal the 201s.
4. Writes bench/results/outreach.json and the table in docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import secrets
import shlex
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

# Run as a script, so this folder is on the path.
from _common import (
    HOST,
    PYTHON,
    ROOT,
    Endpoint,
    Loader,
    add_load_arguments,
    analyse,
    base_env,
    build_demo,
    by_scale,
    count_queries,
    log,
    machine_line,
    replace_doc_block,
    run_record,
    save_run,
    serve,
    server_env,
    setup_django,
    signed_in_session,
    summarise,
)

RESULTS = ROOT / "bench" / "results" / "outreach.json"
TMP = ROOT / "bench" / "tmp"  # gitignored: the workers' tokens and locust's CSV files
WORKERS_FILE = TMP / "outreach-workers.json"
CSV_PREFIX = TMP / "outreach"
LOCUSTFILE = ROOT / "bench" / "locustfile_outreach.py"
DOC_START = "<!-- outreach:start (written by bench/outreach.py) -->"
DOC_END = "<!-- outreach:end -->"
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/waymark_bench_outreach"
QUEUE_USERNAME = "outreach.worker"
# Targets: seconds in-process (the worst repetition), milliseconds p95 over HTTP.
TARGETS = {"figures_s": 2.0, "hotspots_s": 1.0, "alert_queue_p95_ms": 100, "record_contact_p95_ms": 150}


# --- who and what ---------------------------------------------------------------------------


def _quarter_text(start: datetime.date) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def prepare(args: Any) -> dict[str, Any]:
    """The users (an area admin, the queue's worker, N locust workers with tokens) and the data's size."""
    from django.db.models import Count

    from waymark.access.constants import Role, ServiceKind
    from waymark.access.models import Membership
    from waymark.access.services import create_api_token
    from waymark.outreach import services_alerts
    from waymark.outreach.models import ActionTaken, Alert, ObservedNeed, SeenDoing, SiteType, StreetContact
    from waymark.people.models import Person

    admin_membership = (
        Membership.objects.active().filter(role=Role.AREA_ADMIN).select_related("user").order_by("pk").first()
    )
    if admin_membership is None:
        raise SystemExit("the demo has no area admin; did `manage.py demo` run?")
    admin = admin_membership.user

    # Outreach workers: contributors of an outreach service with no other membership, so the
    # service they act for is never in doubt.
    single = Membership.objects.active().values("user_id").annotate(n=Count("pk")).filter(n=1).values("user_id")
    workers = list(
        Membership.objects.active()
        .filter(role=Role.CONTRIBUTOR, service__kind=ServiceKind.OUTREACH, user_id__in=single)
        .select_related("user", "service")
        .order_by("service_id", "user_id")
    )
    if not workers:
        raise SystemExit("the demo has no outreach workers")

    # The queue: the demo login when its team has open alerts, else the worker with the most.
    def open_alerts(m: Any) -> int:
        return services_alerts.alert_queue(m.user, m.service).count()

    queue = next((m for m in workers if m.user.username == QUEUE_USERNAME), None)
    if queue is None or open_alerts(queue) == 0:
        queue = max(workers, key=open_alerts)
    queue_open = open_alerts(queue)
    password = secrets.token_urlsafe(18)
    queue.user.set_password(password)  # a throwaway bench database: the demo password is not assumed
    queue.user.save(update_fields=["password"])

    # Locust's workers: round-robin over the outreach services, so each team gets its share.
    by_service: dict[int, list[Any]] = {}
    for m in workers:
        by_service.setdefault(m.service_id, []).append(m)
    chosen: list[Any] = []
    while len(chosen) < args.users and any(by_service.values()):
        for members in by_service.values():
            if members and len(chosen) < args.users:
                chosen.append(members.pop(0))
    today = datetime.date.today()
    prepared = []
    for m in chosen:
        _, token = create_api_token(m.user, "outreach benchmark", days=1)
        recent = StreetContact.objects.filter(service=m.service, seen_on__gte=today - datetime.timedelta(days=365))
        points = [
            [float(lat), float(lng)]
            for lat, lng in recent.filter(latitude__isnull=False)
            .order_by("-seen_on")
            .values_list("latitude", "longitude")[:200]
        ]
        met = recent.filter(person__isnull=False).order_by("-seen_on").values_list("person_id", flat=True)[:400]
        people = list(
            Person.objects.fully_visible_to(m.user).filter(pk__in=list(met)).values_list("reference", flat=True)[:60]
        )
        if not points:
            # A team with no pins lately: where the area's other teams met people.
            anywhere = StreetContact.objects.filter(area_id=m.area_id, latitude__isnull=False)
            points = [[float(a), float(b)] for a, b in anywhere.values_list("latitude", "longitude")[:50]]
        prepared.append(
            {
                "username": m.user.username,
                "token": token,
                "service": str(m.service.public_id),
                "people": people,
                "points": points,
            }
        )
    choices = {
        "seen_doing": list(SeenDoing.values),
        "actions": list(ActionTaken.values),
        "needs": list(ObservedNeed.values),
        "site_types": list(SiteType.values),
    }
    data = {
        "people": Person.objects.count(),
        "street_contacts": StreetContact.objects.count(),
        "rough_sleeping_contacts": StreetContact.objects.filter(rough_sleeping=True).count(),
        "alerts": Alert.objects.count(),
        "outreach_workers": len(workers),
        "outreach_services": len(by_service),
        "locust_workers": len(prepared),
        "locust_services": len({p["service"] for p in prepared}),
        "queue_open_alerts": queue_open,
    }
    log(f"area admin {admin.username}; queue as {queue.user.username} of {queue.service.name}; {data}")
    return {
        "admin": admin,
        "queue_user": queue.user,
        "queue_service": queue.service.name,
        "password": password,
        "workers": prepared,
        "choices": choices,
        "data": data,
    }


# --- in-process -----------------------------------------------------------------------------


def timed(call: Any, repeat: int) -> dict[str, Any]:
    """Run `call` `repeat` times; seconds of each (the first on a cold cache), median, max and queries."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    seconds = []
    queries = 0
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            seconds.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    return {
        "repetitions": repeat,
        "first_s": round(seconds[0], 3),
        "median_s": round(statistics.median(seconds), 3),
        "max_s": round(max(seconds), 3),
        "min_s": round(min(seconds), 3),
        "queries": queries,
    }


def in_process(actors: dict[str, Any], repeat: int) -> dict[str, Any]:
    """The figures and the hotspot layer for the last whole quarter, through the functions the pages call."""
    from waymark.outreach import figures, maps, periods

    admin = actors["admin"]
    period = periods.last_whole_quarter()  # what the figures page shows by default
    quarter = _quarter_text(period.start)
    districts = figures.districts_for(admin)
    log(f"figures for {quarter}, the whole area, as {admin.username}")
    result_figures = figures.rough_sleeping_figures(admin, period, None, districts)
    headline = {cell.key: cell.shown for cell in result_figures.measures}
    figures_timing = timed(lambda: figures.rough_sleeping_figures(admin, period, None, districts), repeat)

    worker = actors["queue_user"]
    log(f"hotspot layer for {quarter} as {worker.username}")
    filters = maps.hotspot_filters(worker, period=quarter)
    layer = maps.hotspots(worker, filters)
    hotspot_timing = timed(lambda: maps.hotspots(worker, filters).geojson(), repeat)
    return {
        "quarter": quarter,
        "period": [period.start.isoformat(), period.end.isoformat()],
        "figures": {**figures_timing, "as": "area admin", "headline": headline},
        "hotspots": {
            **hotspot_timing,
            "as": "outreach worker",
            "cells": len(layer.cells),
            "people_in_busiest_cell": max((c.people for c in layer.cells), default=0),
            "truncated": layer.truncated,
        },
    }


def contact_queries(worker: dict[str, Any]) -> int | None:
    """Database queries of one `POST /api/v1/contacts/`, through Django's test client (after one unmeasured)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(raise_request_exception=False)
    headers = {"HTTP_AUTHORIZATION": f"Token {worker['token']}", "HTTP_X_WAYMARK_SERVICE": worker["service"]}
    status = None
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            status = client.post(
                "/api/v1/contacts/", json.dumps(contact_body(worker, 0)), content_type="application/json", **headers
            ).status_code
    return len(captured.captured_queries) if status == 201 else None


def contact_body(worker: dict[str, Any], i: int) -> dict[str, Any]:
    """A plain contact for warming up and counting queries (locust makes its own, varied)."""
    lat, lng = worker["points"][i % len(worker["points"])]
    body: dict[str, Any] = {
        "seen_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "seen_doing": "bedded_down",
        "latitude": round(lat, 6),
        "longitude": round(lng, 6),
        "idempotency_key": str(uuid.uuid4()),
    }
    if worker["people"]:
        body["person"] = worker["people"][i % len(worker["people"])]
    else:
        body["description"] = "man, 40s, green sleeping bag"
    return body


# --- over HTTP ------------------------------------------------------------------------------


class ServiceLoader(Loader):
    """The bounded loader, acting for a service (`X-Waymark-Service`) on token requests."""

    def __init__(self, *args: Any, service: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service = service

    def headers(self, endpoint: Endpoint) -> dict[str, str]:
        headers = super().headers(endpoint)
        if endpoint.auth == "token" and self.service:
            headers["X-Waymark-Service"] = self.service
        return headers


def contact_endpoint(worker: dict[str, Any], count: int) -> Endpoint:
    return Endpoint(
        "record_contact",
        "record a street contact",
        "/api/v1/contacts/",
        "token",
        method="POST",
        content_type="application/json",
        variants=[("/api/v1/contacts/", json.dumps(contact_body(worker, i))) for i in range(count)],
    )


def run_locust(args: Any, port: int) -> dict[str, Any]:
    """locust in its own process against the server; its CSV's totals for recording a contact."""
    for old in TMP.glob("outreach_*.csv"):
        old.unlink()
    cmd = [
        str(Path(PYTHON).parent / "locust"),
        "-f", str(LOCUSTFILE.relative_to(ROOT)),
        "--headless",
        "-u", str(args.users),
        "-r", str(args.spawn_rate),
        "-t", args.run_time,
        "--csv", str(CSV_PREFIX.relative_to(ROOT)),
        "--host", f"http://{HOST}:{port}",
        "--only-summary",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    env = {**os.environ, "WAYMARK_LOCUST_WORKERS": str(WORKERS_FILE), "WAYMARK_LOCUST_WAIT": args.wait}
    log("$ " + " ".join(shlex.quote(c) for c in cmd))
    done = subprocess.run(cmd, cwd=ROOT, env=env, text=True, capture_output=True, timeout=_seconds(args.run_time) + 120)
    stats_file = Path(f"{CSV_PREFIX}_stats.csv")
    if not stats_file.exists():
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise RuntimeError(f"locust wrote no statistics (exit {done.returncode})")
    # locust exits 1 when any request failed; the CSV says how many.
    rows = {row["Name"]: row for row in csv.DictReader(stats_file.open())}
    row = rows.get("record contact") or rows["Aggregated"]
    failures: list[dict[str, str]] = []
    failures_file = Path(f"{CSV_PREFIX}_failures.csv")
    if failures_file.exists():
        failures = [
            {"error": r["Error"][:300], "occurrences": r["Occurrences"]} for r in csv.DictReader(failures_file.open())
        ][:10]

    def number(name: str) -> float | None:
        value = row.get(name, "")
        return float(value) if value not in ("", "N/A") else None

    return {
        "tool": "locust",
        "command": " ".join(shlex.quote(c) for c in cmd),
        "exit_code": done.returncode,
        "users": args.users,
        "spawn_rate": args.spawn_rate,
        "run_time": args.run_time,
        "wait_seconds": args.wait,
        "requests": int(number("Request Count") or 0),
        "failures": int(number("Failure Count") or 0),
        "rps": round(number("Requests/s") or 0, 1),
        "p50_ms": number("50%"),
        "p95_ms": number("95%"),
        "p99_ms": number("99%"),
        "max_ms": number("Max Response Time"),
        "mean_ms": round(number("Average Response Time") or 0, 1),
        "failure_messages": failures,
    }


def _seconds(text: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600}
    return int(text[:-1]) * units[text[-1]] if text[-1] in units else int(text)


def loader_fallback(args: Any, loader: ServiceLoader, worker: dict[str, Any]) -> dict[str, Any]:
    """When locust cannot run: the same POSTs from the bounded loader at `args.users` connections, no pauses."""
    endpoint = contact_endpoint(worker, args.requests)
    loader.batch(endpoint, args.requests, args.users, args.batch_seconds)
    row = summarise(endpoint)
    return {
        "tool": f"bench/_common.py Loader, {args.users} connections, one worker's token, no pauses",
        "users": args.users,
        "requests": row["requests"],
        "failures": row["errors"],
        "rps": row["rps"],
        "p50_ms": row["p50_ms"],
        "p95_ms": row["p95_ms"],
        "statuses": row["statuses"],
    }


# --- the report -----------------------------------------------------------------------------


def _met(value: float | None, target: float) -> str:
    return "–" if value is None else ("yes" if value <= target else "no")


def write_doc(runs: dict[str, Any]) -> None:
    """Regenerate the street outreach section of docs/performance.md from the results."""
    lines: list[str] = []
    for scale in by_scale(runs):
        r = runs[scale]
        d = r["data"]
        f, h = r["in_process"]["figures"], r["in_process"]["hotspots"]
        q = r["endpoints"].get("alert_queue")
        c = r["contacts"]
        lines += [
            f"### Scale `{scale}` — {r['date']}",
            "",
            machine_line(r),
            f"Data: {d['people']:,} people, {d['street_contacts']:,} street contacts "
            f"({d['rough_sleeping_contacts']:,} rough sleeping), {d['alerts']:,} alerts; "
            f"{d['outreach_workers']} outreach workers in {d['outreach_services']} outreach services.",
            "",
            f"Command: `{r['command']}`",
            "",
            "| what | how | figure | target | met |",
            "|---|---|---:|---:|---|",
            f"| quarterly figures, whole area ({r['in_process']['quarter']}) | in-process, "
            f"`rough_sleeping_figures` as an area admin, {f['repetitions']} runs, {f['queries']} queries | "
            f"median {f['median_s']} s, max {f['max_s']} s (first {f['first_s']} s) | ≤ {TARGETS['figures_s']} s | "
            f"{_met(f['max_s'], TARGETS['figures_s'])} |",
            f"| hotspot layer, a quarter ({r['in_process']['quarter']}) | in-process, `hotspots` and its "
            f"GeoJSON as an outreach worker, {h['repetitions']} runs, {h['queries']} queries, {h['cells']} cells | "
            f"median {h['median_s']} s, max {h['max_s']} s (first {h['first_s']} s) | ≤ {TARGETS['hotspots_s']} s | "
            f"{_met(h['max_s'], TARGETS['hotspots_s'])} |",
        ]
        if q:
            lines.append(
                f"| alert queue page | `GET /outreach/alerts/` (3 variants) as `{r['queue_user']}` "
                f"({d['queue_open_alerts']} open alerts), {q['requests']} requests over "
                f"{r['load']['concurrency']} connections, {q['queries']} queries | p50 {q['p50_ms']} ms, "
                f"**p95 {q['p95_ms']} ms**, {q['errors']} errors | ≤ {TARGETS['alert_queue_p95_ms']} ms | "
                f"{_met(q['p95_ms'], TARGETS['alert_queue_p95_ms'])} |"
            )
        else:
            lines.append(f"| alert queue page | left out: {'; '.join(r.get('left_out', [])) or 'not run'} | | | |")
        if c:
            errors_ok = c["failures"] == 0 and c.get("lost_writes", 0) == 0
            pauses = c.get("wait_seconds", "").replace(",", "–")
            how = f"for {c['run_time']}, pausing {pauses} s between contacts" if c.get("run_time") else "no pauses"
            lines.append(
                f"| record a street contact | `POST /api/v1/contacts/`, {c['tool']}: {c['users']} users {how}; "
                f"{c['requests']:,} requests at {c['rps']} req/s, {c['failures']} failures, {c.get('queries')} queries "
                f"| p50 {c['p50_ms']} ms, **p95 {c['p95_ms']} ms**, p99 {c.get('p99_ms')} ms | "
                f"≤ {TARGETS['record_contact_p95_ms']} ms, no errors | "
                f"{_met(c['p95_ms'], TARGETS['record_contact_p95_ms']) if errors_ok else 'no'} |"
            )
        lines += [
            "",
            f"Server: gunicorn, {r['server']['workers']} sync workers. Locust users: "
            f"{d['locust_workers']} different outreach workers of {d['locust_services']} teams, each with their "
            "own API token and `X-Waymark-Service`; contacts the database gained during the run: "
            f"{c.get('contacts_saved', '–') if c else '–'} (requests still in flight when locust stopped are "
            "saved but not counted by locust).",
        ]
        b = r.get("build")
        if b:
            lines += [
                "",
                f"Demo build: `{b['command']}` in **{b['seconds']} s** (wall clock, after `migrate`). Steps: "
                + ", ".join(f"{name} {secs} s" for name, secs in b["steps"].items())
                + ".",
            ]
        if r.get("build_note"):
            lines += ["", r["build_note"]]
        lines.append("")
    replace_doc_block(DOC_START, DOC_END, lines, "Street outreach")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: the shared load knobs, this benchmark's defaults and locust's settings."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_load_arguments(parser, requests=600)
    parser.add_argument("--repeat", type=int, default=7, help="in-process runs of the figures and the hotspot layer")
    parser.add_argument("--users", type=int, default=50, help="locust users: outreach workers at once")
    parser.add_argument("--spawn-rate", type=int, default=10, help="locust users started per second")
    parser.add_argument("--run-time", default="60s", help="how long locust runs, e.g. 60s or 2m")
    parser.add_argument("--wait", default="1,5", help="a locust user's pause between contacts, 'min,max' seconds")
    parser.add_argument("--no-locust", action="store_true", help="record contacts with the bounded loader instead")
    # Its own port, so it can run beside the other benchmarks.
    parser.set_defaults(database_url=DEFAULT_DATABASE, concurrency=2, workers=4, port=8771)
    parser.epilog = "A metro build takes about 5 minutes; --reuse-db measures the last run's database again."
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    command = "python bench/outreach.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    env = base_env(args.database_url)
    build = build_demo(args, env)
    analyse(args.database_url)
    senv = server_env(args.database_url, bench_views=False)
    setup_django(senv)
    actors = prepare(args)
    TMP.mkdir(parents=True, exist_ok=True)
    WORKERS_FILE.write_text(json.dumps({"choices": actors["choices"], "workers": actors["workers"]}))

    measured = in_process(actors, args.repeat)
    f, h = measured["figures"], measured["hotspots"]
    log(
        f"figures: median {f['median_s']} s, max {f['max_s']} s; hotspots: median {h['median_s']} s, max {h['max_s']} s"
    )

    queue = Endpoint(
        "alert_queue",
        "alert queue page",
        "/outreach/alerts/",
        "session",
        variants=[
            ("/outreach/alerts/", None),
            ("/outreach/alerts/?page=2", None),
            ("/outreach/alerts/?status=all", None),
        ],
    )
    count_queries([queue], actors["queue_user"].username, "")
    first = actors["workers"][0]
    per_contact_queries = contact_queries(first)

    from waymark.outreach.models import StreetContact

    missing: list[str] = []
    contacts: dict[str, Any] = {}
    with serve(senv, args.port, args.workers):
        session = signed_in_session(args.port, actors["queue_user"].username, actors["password"])
        loader = ServiceLoader(
            args.port,
            session.cookies["sessionid"],
            first["token"],
            session.cookies.get("csrftoken", ""),
            service=first["service"],
        )
        endpoints = [queue]
        _, status, _ = loader.one(queue)
        if status != 200:
            log(f"warning: the alert queue answered HTTP {status}; left out of this run")
            missing.append(f"alert queue page (`GET /outreach/alerts/`): HTTP {status}")
            endpoints = []
        requests_per_endpoint = loader.measure(endpoints, args) if endpoints else 0

        # Warm each gunicorn worker's code path for recording before the load starts.
        warm = contact_endpoint(first, 20)
        loader.batch(warm, 20, 2, args.batch_seconds, record=False)
        before = StreetContact.objects.count()
        if args.no_locust:
            contacts = loader_fallback(args, loader, first)
        else:
            try:
                contacts = run_locust(args, args.port)
            except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
                log(f"warning: locust did not run ({exc}); measuring with the bounded loader instead")
                contacts = loader_fallback(args, loader, first)
                contacts["locust_problem"] = str(exc)
        contacts["contacts_saved"] = StreetContact.objects.count() - before
        created = contacts["requests"] - contacts["failures"]
        contacts["lost_writes"] = max(0, created - contacts["contacts_saved"])
        contacts["queries"] = per_contact_queries

    summaries = {e.key: summarise(e) for e in endpoints}
    result = {
        **run_record(args, command, requests_per_endpoint),
        "targets": TARGETS,
        "data": actors["data"],
        "queue_user": actors["queue_user"].username,
        "queue_service": actors["queue_service"],
        "in_process": measured,
        "endpoints": summaries,
        "contacts": contacts,
        "left_out": missing,
        "build": build,
    }
    if args.reuse_db and not build:
        previous = json.loads(RESULTS.read_text()).get("runs", {}).get(args.scale, {}) if RESULTS.exists() else {}
        if previous.get("build"):
            result["build"] = previous["build"]
            result["build_note"] = "The demo build is from the previous run (this run reused its database)."
    print()
    print(f"figures, whole area, {measured['quarter']}: median {f['median_s']} s, max {f['max_s']} s (target 2 s)")
    print(f"hotspot layer, {measured['quarter']}: median {h['median_s']} s, max {h['max_s']} s (target 1 s)")
    for row in summaries.values():
        print(f"{row['label']}: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, errors {row['errors']} (target 100)")
    print(
        f"record contact ({contacts.get('tool')}, {contacts.get('users')} users): {contacts.get('requests')} requests, "
        f"{contacts.get('failures')} failures, p95 {contacts.get('p95_ms')} ms (target 150), "
        f"saved {contacts.get('contacts_saved')}"
    )
    if not args.no_write:
        write_doc(save_run(RESULTS, "outreach", result))


if __name__ == "__main__":
    main()
