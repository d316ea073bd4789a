"""What the access model and the audit log cost: real pages against bare views, in one run.

    .venv/bin/python bench/access_overhead.py --scale area

1. Creates a fresh PostgreSQL database (waymark_bench on the local server),
   migrates it and fills it with `manage.py demo --scale SCALE --seed 1`.
2. Serves Waymark with gunicorn on 127.0.0.1 in production mode, with the bare
   views of waymark/core/bench_views.py mounted (WAYMARK_BENCH_VIEWS=1) and MFA
   off, and signs a contributor in through the login page; makes an API token.
3. From this process, sends a bounded number of requests over loopback to each
   pair (real page, bare page), interleaved in rounds so drift hits both alike,
   and records requests per second, p50 and p95 latency.
4. Writes bench/results/access_overhead.json and the table in docs/performance.md.

The real pages run everything a user's request runs: session, the access
context, `visible_to`, the audit event, the header. The bare views render the
same template over `Person.objects.all()` for an anonymous request: no session,
no access checks, no audit. A second bare row, requested with the signed-in
session, splits the cost into "signed-in request" and "the view's own access
checks and audit".
"""

from __future__ import annotations

import argparse
import secrets
import shlex
import sys
from typing import Any

# Run as a script, so this folder is on the path.
from _common import (
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
    sign_in,
    summarise,
)

RESULTS = ROOT / "bench" / "results" / "access_overhead.json"
DOC_START = "<!-- access_overhead:start (written by bench/access_overhead.py) -->"
DOC_END = "<!-- access_overhead:end -->"
TARGET = 1.5


# --- what to request ------------------------------------------------------------------------


def prepare_actors(env: dict[str, str]) -> dict[str, Any]:
    """Pick a contributor and a person they may see fully; give the contributor a known
    password and an API token. Runs Django in this process against the bench database."""
    setup_django(env)
    from django.db.models import Count

    from waymark.access.constants import Restriction, Role
    from waymark.access.models import Membership
    from waymark.access.services import create_api_token
    from waymark.casework.models import Episode
    from waymark.people.models import Person

    membership = (
        Membership.objects.active()
        .filter(role=Role.CONTRIBUTOR, service__isnull=False)
        .annotate(people=Count("service__episodes"))
        .order_by("-people", "pk")
        .select_related("user", "service")
        .first()
    )
    if membership is None:
        raise SystemExit("the demo data has no contributor; did `manage.py demo` run?")
    user = membership.user
    password = secrets.token_urlsafe(18)
    user.set_password(password)  # a throwaway bench database: the demo password is not assumed
    user.save(update_fields=["password"])
    _, key = create_api_token(user, "access_overhead benchmark", days=1)
    person = (
        Person.objects.fully_visible_to(user)
        .filter(restriction=Restriction.NONE, episodes__service=membership.service)
        .order_by("pk")
        .first()
    ) or Person.objects.fully_visible_to(user).order_by("pk").first()
    if person is None:
        raise SystemExit(f"{user.username} can see nobody; the benchmark needs people")
    totals = {
        "people": Person.objects.count(),
        "people_visible_to_contributor": Person.objects.visible_to(user).count(),
        "episodes": Episode.objects.count(),
        "users": type(user).objects.count(),
        "services": type(membership.service).objects.count(),
    }
    log(f"contributor {user.username} of {membership.service.name}; person {person.reference}; {totals}")
    return {
        "username": user.username,
        "password": password,
        "token": key,
        "person": str(person.public_id),
        "service": membership.service.name,
        "data": totals,
    }


def write_results(run_result: dict[str, Any]) -> None:
    runs = save_run(RESULTS, "access_overhead", run_result, target_ratio=TARGET)
    write_doc(runs)


def write_doc(runs: dict[str, Any]) -> None:
    """Regenerate the access-overhead section of docs/performance.md from the results."""
    lines: list[str] = []
    for scale in by_scale(runs):
        result = runs[scale]
        lines += [
            f"### Scale `{scale}` — {result['date']}",
            "",
            machine_line(result),
            f"Data: {result['data']['people']:,} people ({result['data']['people_visible_to_contributor']:,} "
            f"visible to the contributor), {result['data']['episodes']:,} episodes, "
            f"{result['data']['users']:,} users, {result['data']['services']:,} services.",
            f"Load: {result['load']['requests_per_endpoint']} requests per endpoint in "
            f"{result['load']['rounds']} interleaved rounds over {result['load']['concurrency']} "
            "connections from one client process on loopback.",
            "",
            f"Command: `{result['command']}`",
            "",
            "| endpoint | path | requests/s | p50 ms | p95 ms | queries | bytes | errors |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for row in result["endpoints"].values():
            queries = row["queries"] if row["queries"] is not None else "–"
            lines.append(
                f"| {row['label']} | `{row['path']}` | {row['rps']} | {row['p50_ms']} | {row['p95_ms']} | "
                f"{queries} | {row['response_bytes']:,} | {row['errors']} |"
            )
        lines += [
            "",
            f"| ratio (real ÷ bare, target < {TARGET}×) | time per request (bare rps ÷ real rps) | p50 | p95 | met |",
            "|---|---:|---:|---:|---|",
        ]
        for name, ratio in result["ratios"].items():
            met = "yes" if ratio["throughput"] < TARGET and ratio["p95"] < TARGET else "no"
            lines.append(f"| {name} | {ratio['throughput']}× | {ratio['p50']}× | {ratio['p95']}× | {met} |")
        lines.append("")
        for line in result.get("left_out", []):
            lines.append(f"Left out of this run: {line}.")
        if result.get("left_out"):
            lines.append("")
    replace_doc_block(DOC_START, DOC_END, lines, "Access overhead")


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_load_arguments(parser)
    args = parser.parse_args()
    command = "python bench/access_overhead.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    env = base_env(args.database_url)
    build_demo(args, env)
    analyse(args.database_url)
    senv = server_env(args.database_url)
    actors = prepare_actors(senv)

    person = actors["person"]
    endpoints = [
        Endpoint("list", "people list page", "/people/", "session", pair="list_bare"),
        Endpoint("list_bare", "bare list page", "/bench/people/", "none"),
        Endpoint("list_bare_signed", "bare list page, signed in", "/bench/people/", "session"),
        Endpoint("detail", "person page", f"/people/{person}/", "session", pair="detail_bare"),
        Endpoint("detail_bare", "bare person page", f"/bench/people/{person}/", "none"),
        Endpoint("detail_bare_signed", "bare person page, signed in", f"/bench/people/{person}/", "session"),
        Endpoint("api", "API people list", "/api/v1/people/", "token", pair="api_bare"),
        Endpoint("api_bare", "bare JSON list", "/bench/api/people/", "none"),
    ]
    missing: list[str] = []
    count_queries(endpoints, actors["username"], actors["token"])

    with serve(senv, args.port, args.workers):
        cookie = sign_in(args.port, actors["username"], actors["password"])
        loader = Loader(args.port, cookie, actors["token"])
        for endpoint in list(endpoints):
            _, status, _ = loader.one(endpoint)
            if status != 200:
                # An endpoint another issue has not built yet: leave it and its pair out, and say so.
                log(f"warning: {endpoint.path} answered HTTP {status}; left out of this run")
                missing.append(f"{endpoint.label} ({endpoint.path}): HTTP {status}")
                endpoints.remove(endpoint)
        requests_per_endpoint = loader.measure(endpoints, args)

    summaries = {e.key: summarise(e) for e in endpoints}
    ratios: dict[str, dict[str, float]] = {}

    def ratio(name: str, real: str, bare: str) -> None:
        if real not in summaries or bare not in summaries:
            return
        r, b = summaries[real], summaries[bare]
        ratios[name] = {
            "throughput": round(b["rps"] / r["rps"], 2),
            "p50": round(r["p50_ms"] / b["p50_ms"], 2),
            "p95": round(r["p95_ms"] / b["p95_ms"], 2),
        }

    ratio("people list page ÷ bare", "list", "list_bare")
    ratio("people list: access checks and audit only (÷ bare signed in)", "list", "list_bare_signed")
    ratio("person page ÷ bare", "detail", "detail_bare")
    ratio("person page: access checks and audit only (÷ bare signed in)", "detail", "detail_bare_signed")
    ratio("API list ÷ bare JSON", "api", "api_bare")

    result = {
        **run_record(args, command, requests_per_endpoint),
        "data": actors["data"],
        "left_out": missing,
        "endpoints": summaries,
        "ratios": ratios,
    }
    print()
    for row in summaries.values():
        print(
            f"{row['label']:<28} {row['rps']:>8} req/s  p50 {row['p50_ms']:>8} ms  p95 {row['p95_ms']:>8} ms  "
            f"queries {row['queries']}  errors {row['errors']}"
        )
    print()
    for name, r in ratios.items():
        print(f"{name:<64} time {r['throughput']}×  p50 {r['p50']}×  p95 {r['p95']}×")
    errors = sum(e.errors for e in endpoints)
    if errors:
        log(f"warning: {errors} requests failed; see the errors column")
    if not args.no_write:
        write_results(result)


if __name__ == "__main__":
    main()
