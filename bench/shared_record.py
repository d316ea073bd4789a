"""The shared record at scale: search, the person's front page, the live duplicate check and
its accuracy on the demo's seeded near-duplicates, and how fast the demo is built.

    .venv/bin/python bench/shared_record.py --scale area

1. Creates a fresh PostgreSQL database (waymark_bench on the local server), migrates it and
   fills it with `manage.py demo --scale SCALE --seed 1`, timing the build (people/s, rows/s)
   and keeping the near-duplicates' truth file.
2. Picks a realistic demo user: the demo login `outreach.worker` (a contributor at Northway
   Street Outreach), with a throwaway password and an API token; the people they work with
   (for front pages), searches a worker would type (surname, full name, the start of a
   surname, a name and date of birth, a reference, a misspelt name), and the seeded
   near-duplicates' details as a worker registering them would type them.
3. Counts the database queries of each page in-process, then serves Waymark with gunicorn
   on 127.0.0.1 in production mode and sends a bounded number of requests to each endpoint,
   interleaved in rounds, each request taking the next of its prepared variants.
4. Measures the duplicate check's accuracy in-process: for every seeded near-duplicate, the
   area-wide check (`people.matching.find_matches_in_area`, what an area admin sees) with the
   duplicate's own details, the duplicate itself excluded; recall and precision of the top 5
   candidates at the threshold shown to workers (`MATCH_THRESHOLD`).
5. Writes bench/results/shared_record.json and the table in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import shlex
import sys
import time
import urllib.parse
from collections import defaultdict
from typing import Any

# Run as a script, so this folder is on the path.
from _common import (
    CSRF_FIELD,
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

RESULTS = ROOT / "bench" / "results" / "shared_record.json"
TRUTH = ROOT / "bench" / "tmp"  # gitignored; one truth file per bench database
DOC_START = "<!-- shared_record:start (written by bench/shared_record.py) -->"
DOC_END = "<!-- shared_record:end -->"
USERNAME = "outreach.worker"
# p95 targets in milliseconds, by endpoint key; accuracy and build-time targets.
TARGETS = {"search_page": 50, "search_api": 50, "front_page": 100, "check_page": 80, "check_api": 80}
RECALL_TARGET = 0.95
PRECISION_TARGET = 0.9
BUILD_TARGET_SECONDS = {"area": 600}
TOP = 5


def truth_path(database_url: str, scale: str) -> Any:
    name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    return TRUTH / f"shared_record-{name}-{scale}-truth.json"


# --- what to request ------------------------------------------------------------------------


def birth_fields(person: Any) -> dict[str, str]:
    """The register form's date-of-birth boxes as a worker fills them for this person."""
    d, precision = person.date_of_birth, person.birth_date_precision
    if d is not None and precision == "exact":
        return {"dob_day": str(d.day), "dob_month": str(d.month), "dob_year": str(d.year)}
    if d is not None and precision == "month":
        return {"dob_month": str(d.month), "dob_year": str(d.year)}
    if d is not None and precision == "year":
        return {"dob_year": str(d.year)}
    if precision == "estimated" and person.estimated_age is not None:
        return {"estimated_age": str(person.estimated_age)}
    return {}


def api_birth(person: Any) -> dict[str, Any]:
    d, precision = person.date_of_birth, person.birth_date_precision
    if d is not None and precision == "exact":
        return {"date_of_birth": d.isoformat()}
    if d is not None and precision == "month":
        return {"date_of_birth": f"{d:%Y-%m}"}
    if d is not None and precision == "year":
        return {"date_of_birth": f"{d:%Y}"}
    if precision == "estimated" and person.estimated_age is not None:
        return {"estimated_age": person.estimated_age}
    return {}


def misspell(name: str, rng: random.Random) -> str:
    if len(name) < 5:
        return name
    i = rng.randrange(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def prepare(env: dict[str, str], truth_file: Any, count: int) -> dict[str, Any]:
    """The user, their token, the people and texts to request, from the bench database."""
    setup_django(env)
    from waymark.access.models import Membership, User
    from waymark.access.services import create_api_token
    from waymark.casework.models import CaseNote, Episode
    from waymark.people.models import MatchKey, Person

    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        raise SystemExit(f"the demo has no {USERNAME}; did `manage.py demo` run?")
    membership = Membership.objects.active().filter(user=user, service__isnull=False).select_related("service").first()
    password = secrets.token_urlsafe(18)
    user.set_password(password)  # a throwaway bench database: the demo password is not assumed
    user.save(update_fields=["password"])
    _, token = create_api_token(user, "shared_record benchmark", days=1)
    rng = random.Random(1)

    # Front pages: people the worker's service is working with now, as they would open them.
    own = list(
        Person.objects.fully_visible_to(user)
        .filter(episodes__service=membership.service, episodes__ended_on__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    opened = rng.sample(own, min(count, len(own)))
    front = list(Person.objects.filter(pk__in=opened).order_by("pk"))

    # Searches: names of people the worker can see, typed the ways workers type them.
    seen = list(
        Person.objects.fully_visible_to(user)
        .exclude(last_name="")
        .exclude(first_name="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sample = list(Person.objects.filter(pk__in=rng.sample(seen, min(count, len(seen)))).order_by("pk"))
    searches = []
    for i, person in enumerate(sample):
        form = i % 6
        if form == 0:
            text = person.last_name
        elif form == 1:
            text = f"{person.first_name} {person.last_name}"
        elif form == 2:
            text = person.last_name[:4]
        elif form == 3 and person.date_of_birth and person.birth_date_precision == "exact":
            text = f"{person.last_name} {person.date_of_birth:%d/%m/%Y}"
        elif form == 4:
            text = person.reference
        else:
            text = f"{person.first_name} {misspell(person.last_name, rng)}"
        searches.append(text)

    # Duplicate checks: each seeded near-duplicate's details, as the second service typed them.
    truth = json.loads(truth_file.read_text())
    pairs = truth["pairs"]
    duplicates = {p.reference: p for p in Person.objects.filter(reference__in=[x["duplicate"] for x in pairs])}
    checks = []
    for pair in pairs[: max(count, 1)]:
        person = duplicates[pair["duplicate"]]
        fields = {"first_name": person.first_name, "last_name": person.last_name, "known_as": person.known_as}
        checks.append(({k: v for k, v in fields.items() if v} | birth_fields(person), fields | api_birth(person)))

    notes = [CaseNote.objects.filter(person=p).count() for p in front]
    data = {
        "people": Person.objects.count(),
        "people_visible_to_user": Person.objects.visible_to(user).count(),
        "episodes": Episode.objects.count(),
        "case_notes": CaseNote.objects.count(),
        "match_keys": MatchKey.objects.count(),
        "near_duplicates": len(pairs),
        "notes_on_front_pages": [min(notes, default=0), max(notes, default=0)],
    }
    log(f"user {USERNAME} of {membership.service.name}; {data}")
    return {
        "user": user,
        "password": password,
        "token": token,
        "service": membership.service.name,
        "front": [str(p.public_id) for p in front],
        "searches": searches,
        "checks": checks,
        "truth": truth,
        "data": data,
    }


def endpoints_for(actors: dict[str, Any], csrf: str) -> list[Endpoint]:
    form_type = "application/x-www-form-urlencoded"
    management = {"other-TOTAL_FORMS": "0", "other-INITIAL_FORMS": "0", "other-MIN_NUM_FORMS": "0"}
    management["other-MAX_NUM_FORMS"] = "20"
    return [
        Endpoint(
            "search_page",
            "person search page",
            "/people/?q=…",
            "session",
            variants=[(f"/people/?{urllib.parse.urlencode({'q': q})}", None) for q in actors["searches"]],
        ),
        Endpoint(
            "search_api",
            "person search API",
            "/api/v1/people/search/?q=…",
            "token",
            variants=[(f"/api/v1/people/search/?{urllib.parse.urlencode({'q': q})}", None) for q in actors["searches"]],
        ),
        Endpoint(
            "front_page",
            "person front page",
            "/people/<id>/",
            "session",
            variants=[(f"/people/{public_id}/", None) for public_id in actors["front"]],
        ),
        Endpoint(
            "check_page",
            "live duplicate check (HTMX)",
            "/people/register/check/",
            "session",
            method="POST",
            content_type=form_type,
            csrf=True,
            variants=[
                ("/people/register/check/", urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, **management, **form}))
                for form, _ in actors["checks"]
            ],
        ),
        Endpoint(
            "check_api",
            "duplicate check API",
            "/api/v1/people/match/",
            "token",
            method="POST",
            content_type="application/json",
            variants=[("/api/v1/people/match/", json.dumps(body)) for _, body in actors["checks"]],
        ),
    ]


# --- accuracy -------------------------------------------------------------------------------


def accuracy(truth: dict[str, Any]) -> dict[str, Any]:
    """Recall and precision of the top candidates at the shown threshold, over every seeded pair."""
    from waymark.access.models import Area
    from waymark.people import matching
    from waymark.people.models import Person

    area = Area.objects.get(name=truth["area"])
    references = [p["duplicate"] for p in truth["pairs"]] + [p["original"] for p in truth["pairs"]]
    people = {p.reference: p for p in Person.objects.filter(reference__in=references).prefetch_related("other_names")}
    threshold = matching.MATCH_THRESHOLD
    found = shown = right = 0
    top1 = 0
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[dict[str, Any]] = []
    seconds: list[float] = []
    for pair in truth["pairs"]:
        duplicate, original = people[pair["duplicate"]], people[pair["original"]]
        query = matching.MatchQuery.from_person(duplicate, duplicate.other_names.all())
        started = time.perf_counter()
        candidates = matching.find_matches_in_area(area, query, limit=TOP, threshold=threshold, exclude=[duplicate.pk])
        seconds.append(time.perf_counter() - started)
        ids = [c.person.pk for c in candidates]
        hit = original.pk in ids
        found += hit
        shown += len(ids)
        right += hit
        top1 += bool(ids) and ids[0] == original.pk
        for kind in pair["variations"]:
            by_kind[kind][0] += hit
            by_kind[kind][1] += 1
        if not hit and len(misses) < 40:
            value, reasons = matching.score(query, original)
            misses.append(
                {
                    "duplicate": pair["duplicate_name"],
                    "original": pair["original_name"],
                    "variations": pair["variations"],
                    "score": value,
                    "reasons": reasons,
                    "shown_instead": len(ids),
                }
            )
    n = len(truth["pairs"])
    return {
        "pairs": n,
        "threshold": threshold,
        "top": TOP,
        "recall": round(found / n, 3) if n else None,
        "precision": round(right / shown, 3) if shown else None,
        "top1_recall": round(top1 / n, 3) if n else None,
        "candidates_shown": shown,
        "by_variation": {k: {"found": v[0], "of": v[1], "recall": round(v[0] / v[1], 3)} for k, v in by_kind.items()},
        "in_process_ms": {
            "p50": round(sorted(seconds)[len(seconds) // 2] * 1000, 2) if seconds else None,
            "p95": round(sorted(seconds)[int(len(seconds) * 0.95)] * 1000, 2) if seconds else None,
        },
        "misses": misses,
    }


# --- the report -----------------------------------------------------------------------------


def write_doc(runs: dict[str, Any]) -> None:
    """Regenerate the shared-record section of docs/performance.md from the results."""
    lines: list[str] = []
    for scale in by_scale(runs):
        result = runs[scale]
        d = result["data"]
        lines += [
            f"### Scale `{scale}` — {result['date']}",
            "",
            machine_line(result),
            f"Data: {d['people']:,} people ({d['people_visible_to_user']:,} visible to `{USERNAME}`), "
            f"{d['episodes']:,} episodes, {d['case_notes']:,} case notes, {d['match_keys']:,} match keys, "
            f"{d['near_duplicates']:,} seeded near-duplicates.",
            f"Load: {result['load']['requests_per_endpoint']} requests per endpoint in "
            f"{result['load']['rounds']} interleaved rounds over {result['load']['concurrency']} "
            f"connections from one client process on loopback, as `{USERNAME}` ({result['service']}); "
            "each request takes the next of the endpoint's variants (different people, searches, details).",
            "",
            f"Command: `{result['command']}`",
            "",
            "| endpoint | path | variants | requests/s | p50 ms | p95 ms | target p95 | met | queries | errors |",
            "|---|---|---:|---:|---:|---:|---:|---|---:|---:|",
        ]
        for key, row in result["endpoints"].items():
            target = TARGETS.get(key)
            met = "–" if target is None else ("yes" if row["p95_ms"] <= target else "no")
            queries = row["queries"] if row["queries"] is not None else "–"
            lines.append(
                f"| {row['label']} | `{row['method']} {row['path']}` | {row['variants']} | {row['rps']} | "
                f"{row['p50_ms']} | {row['p95_ms']} | {target or '–'} | {met} | {queries} | {row['errors']} |"
            )
        for line in result.get("left_out", []):
            lines.append(f"| {line} | | | | | | | missing | | |")
        a = result.get("accuracy")
        if a:
            recall_met = a["recall"] is not None and a["recall"] >= RECALL_TARGET
            precision_met = a["precision"] is not None and a["precision"] >= PRECISION_TARGET
            lines += [
                "",
                f"Duplicate-check accuracy on the {a['pairs']:,} seeded near-duplicates (top {a['top']} at the "
                f"shown threshold {a['threshold']}, area-wide as an area admin sees it, the duplicate excluded): "
                f"**recall {a['recall']}** (target {RECALL_TARGET}: {'met' if recall_met else 'not met'}), "
                f"**precision {a['precision']}** (target {PRECISION_TARGET}: "
                f"{'met' if precision_met else 'not met'}); the original first in {a['top1_recall']:.1%} of "
                f"checks; {a['candidates_shown']:,} candidates shown in all; "
                f"in-process p50 {a['in_process_ms']['p50']} ms, p95 {a['in_process_ms']['p95']} ms.",
                "",
                "| variation | found | of | recall |",
                "|---|---:|---:|---:|",
            ]
            for kind, v in sorted(a["by_variation"].items()):
                lines.append(f"| {kind.replace('_', ' ')} | {v['found']} | {v['of']} | {v['recall']} |")
        b = result.get("build")
        if b:
            target = BUILD_TARGET_SECONDS.get(scale)
            verdict = f" (target {target} s: {'met' if b['seconds'] <= target else 'not met'})" if target else ""
            lines += [
                "",
                f"Demo build: `{b['command']}` in **{b['seconds']} s**{verdict}, "
                f"{b['people_per_second']:,} people/s and {b['rows']:,} rows at {b['rows_per_second']:,} rows/s "
                "(wall clock of the whole command, after `migrate`). Steps: "
                + ", ".join(f"{name} {secs} s" for name, secs in b["steps"].items())
                + ".",
            ]
        lines.append("")
    replace_doc_block(DOC_START, DOC_END, lines, "The shared record")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_load_arguments(parser)
    parser.add_argument("--variants", type=int, default=60, help="people, searches and checks to cycle through")
    parser.add_argument("--no-load", action="store_true", help="only the demo build and the accuracy")
    # One connection per worker: latency is the time a request takes, not time queued behind another.
    parser.set_defaults(concurrency=2)
    args = parser.parse_args()
    command = "python bench/shared_record.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    env = base_env(args.database_url)
    truth_file = truth_path(args.database_url, args.scale)
    truth_file.parent.mkdir(parents=True, exist_ok=True)
    build = build_demo(args, env, ["--truth-file", str(truth_file.relative_to(ROOT))])
    if not truth_file.exists():
        raise SystemExit(f"no truth file at {truth_file}: run without --reuse-db once")
    analyse(args.database_url)
    senv = server_env(args.database_url, bench_views=False)
    actors = prepare(senv, truth_file, args.variants)
    if build:
        people = actors["data"]["people"]
        build["people_per_second"] = round(people / build["seconds"])
        build["rows_per_second"] = round(build["rows"] / build["seconds"])

    log("duplicate-check accuracy")
    quality = accuracy(actors["truth"])
    log(f"recall {quality['recall']}, precision {quality['precision']} over {quality['pairs']} pairs")

    endpoints = endpoints_for(actors, "")
    missing: list[str] = []
    requests_per_endpoint = 0
    if not args.no_load:
        count_queries(endpoints, USERNAME, actors["token"])
        with serve(senv, args.port, args.workers):
            session = signed_in_session(args.port, USERNAME, actors["password"])
            _, page = session.request("GET", "/people/register/")
            match = CSRF_FIELD.search(page)
            csrf = match.group(1).decode() if match else ""
            queries = {e.key: e.queries for e in endpoints}
            endpoints = endpoints_for(actors, csrf)
            for endpoint in endpoints:
                endpoint.queries = queries[endpoint.key]
            loader = Loader(
                args.port, session.cookies["sessionid"], actors["token"], session.cookies.get("csrftoken", "")
            )
            for endpoint in list(endpoints):
                _, status, _ = loader.one(endpoint)
                if status != 200:
                    # An endpoint not built yet (or broken): leave it out and say so, never fake it.
                    log(f"warning: {endpoint.label} answered HTTP {status}; left out of this run")
                    missing.append(f"{endpoint.label} (`{endpoint.method} {endpoint.path}`): HTTP {status}")
                    endpoints.remove(endpoint)
            requests_per_endpoint = loader.measure(endpoints, args)

    summaries = {e.key: summarise(e) for e in endpoints} if not args.no_load else {}
    result = {
        **run_record(args, command, requests_per_endpoint),
        "service": actors["service"],
        "data": actors["data"],
        "targets_p95_ms": TARGETS,
        "left_out": missing,
        "endpoints": summaries,
        "accuracy": quality,
        "build": build,
    }
    if args.reuse_db and not build:
        previous = json.loads(RESULTS.read_text()).get("runs", {}).get(args.scale, {}) if RESULTS.exists() else {}
        if previous.get("build"):
            result["build"] = previous["build"]
            result["build_note"] = "from the previous run (this run reused its database)"
    print()
    for key, row in summaries.items():
        print(
            f"{row['label']:<30} {row['rps']:>7} req/s  p50 {row['p50_ms']:>8} ms  p95 {row['p95_ms']:>8} ms  "
            f"(target {TARGETS.get(key)})  queries {row['queries']}  errors {row['errors']}"
        )
    print(f"accuracy: recall {quality['recall']}, precision {quality['precision']}, by variation:")
    for kind, v in sorted(quality["by_variation"].items()):
        print(f"  {kind:<20} {v['found']:>4} / {v['of']:<4} {v['recall']}")
    if result.get("build"):
        print(f"demo build: {result['build']}")
    if not args.no_write:
        write_doc(save_run(RESULTS, "shared_record", result))


if __name__ == "__main__":
    main()
