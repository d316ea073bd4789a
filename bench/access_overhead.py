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
import concurrent.futures
import datetime
import http.client
import json
import os
import platform
import re
import secrets
import shlex
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULTS = ROOT / "bench" / "results" / "access_overhead.json"
DOC = ROOT / "docs" / "performance.md"
DOC_START = "<!-- access_overhead:start (written by bench/access_overhead.py) -->"
DOC_END = "<!-- access_overhead:end -->"
TARGET = 1.5
HOST = "127.0.0.1"


@dataclass
class Endpoint:
    key: str
    label: str
    path: str
    auth: str  # "session", "token" or "none"
    pair: str = ""  # key of the bare endpoint it is compared with
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0
    bytes: int = 0
    queries: int | None = None


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(cmd: list[str], env: dict[str, str], quiet: bool = False) -> str:
    log("$ " + " ".join(shlex.quote(c) for c in cmd))
    done = subprocess.run(cmd, cwd=ROOT, env=env, text=True, capture_output=quiet)
    if done.returncode != 0:
        if quiet:
            sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}")
    return done.stdout if quiet else ""


# --- the database ---------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"refusing odd database name {name!r}")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    log(f"created an empty database {name}")


def analyse(url: str) -> None:
    """Give the planner statistics, as autovacuum would have long since on a live database:
    straight after a bulk load it plans 30,000 people as if there were one."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    log("vacuumed and analysed the database")


def base_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WAYMARK_", "DJANGO_"))}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="waymark.settings",
        WAYMARK_REQUIRE_MFA="0",
        LOG_LEVEL="ERROR",
        DEBUG="0",
    )
    env.pop("REDIS_URL", None)
    return env


def server_env(database_url: str) -> dict[str, str]:
    """Production settings, plain HTTP on loopback, bare views on, API throttle out of the way."""
    env = base_env(database_url)
    env.update(
        WAYMARK_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=f"{HOST},localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        WAYMARK_BENCH_VIEWS="1",
        WAYMARK_BENCH_ALLOWED="1",
        WAYMARK_API_USER_RATE="100000000/min",
        WAYMARK_LOGIN_RATE="1000/min",
    )
    return env


# --- what to request ------------------------------------------------------------------------


def prepare_actors(env: dict[str, str]) -> dict[str, Any]:
    """Pick a contributor and a person they may see fully; give the contributor a known
    password and an API token. Runs Django in this process against the bench database."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
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


def count_queries(endpoints: list[Endpoint], actors: dict[str, Any]) -> None:
    """Database queries per request of each endpoint, through Django's test client in-process."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user = get_user_model().objects.get(username=actors["username"])
    signed = Client()
    signed.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    signed.get("/")  # the first request of a session writes it; later ones do not
    plain = Client()
    for endpoint in endpoints:
        client = signed if endpoint.auth == "session" else plain
        headers = {"HTTP_AUTHORIZATION": f"Token {actors['token']}"} if endpoint.auth == "token" else {}
        client.get(endpoint.path, **headers)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(endpoint.path, **headers)
        endpoint.queries = len(captured.captured_queries) if response.status_code == 200 else None


# --- HTTP -----------------------------------------------------------------------------------


class Session:
    """Cookies by hand: http.client is the lightest client that keeps a connection open."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        all_headers = {"Host": f"{HOST}:{self.port}", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                if val and val != '""':
                    self.cookies[key.strip()] = val.strip()
                else:
                    self.cookies.pop(key.strip(), None)
        conn.close()
        return response, data


def sign_in(port: int, username: str, password: str) -> str:
    """Sign in through the real login form; returns the session cookie."""
    session = Session(port)
    _, page = session.request("GET", "/accounts/login/")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match:
        raise SystemExit("no CSRF token on the login page")
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": password, "next": "/"}
    )
    response, data = session.request(
        "POST", "/accounts/login/", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    if response.status != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"signing in failed: HTTP {response.status}\n{data[:2000].decode(errors='replace')}")
    return session.cookies["sessionid"]


def wait_for_server(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited before it answered")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz", headers={"Host": f"{HOST}:{port}"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz in time")


class Loader:
    """A bounded load: `count` requests over `concurrency` keep-alive connections, at most `limit` seconds."""

    def __init__(self, port: int, session_cookie: str, token: str) -> None:
        self.port = port
        self.session_cookie = session_cookie
        self.token = token
        self.local = threading.local()

    def headers(self, endpoint: Endpoint) -> dict[str, str]:
        headers = {"Host": f"{HOST}:{self.port}", "Accept-Encoding": "identity"}
        if endpoint.auth == "session":
            headers["Cookie"] = f"sessionid={self.session_cookie}"
        elif endpoint.auth == "token":
            headers["Authorization"] = f"Token {self.token}"
            headers["Accept"] = "application/json"
        return headers

    def one(self, endpoint: Endpoint) -> tuple[float, int, int]:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        start = time.perf_counter()
        try:
            conn.request("GET", endpoint.path, headers=self.headers(endpoint))
            response = conn.getresponse()
            body = response.read()
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException):
            conn.close()
            self.local.conn = None
            return time.perf_counter() - start, 599, 0
        return time.perf_counter() - start, response.status, len(body)

    def batch(self, endpoint: Endpoint, count: int, concurrency: int, limit: float, record: bool = True) -> None:
        deadline = time.monotonic() + limit
        started = time.perf_counter()
        sent = 0
        lock = threading.Lock()

        def worker() -> list[tuple[float, int, int]]:
            nonlocal sent
            out = []
            while time.monotonic() < deadline:
                with lock:
                    if sent >= count:
                        break
                    sent += 1
                out.append(self.one(endpoint))
            return out

        with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
            results = [r for f in [pool.submit(worker) for _ in range(concurrency)] for r in f.result()]
        elapsed = time.perf_counter() - started
        if not record:
            return
        endpoint.seconds += elapsed
        for latency, status, size in results:
            if status == 200:
                endpoint.latencies.append(latency)
                endpoint.bytes = size
            else:
                endpoint.errors += 1


# --- figures --------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summarise(endpoint: Endpoint) -> dict[str, Any]:
    n = len(endpoint.latencies)
    return {
        "label": endpoint.label,
        "path": re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "<id>", endpoint.path),
        "auth": endpoint.auth,
        "requests": n,
        "errors": endpoint.errors,
        "rps": round((n + endpoint.errors) / endpoint.seconds, 1) if endpoint.seconds else None,
        "p50_ms": round(percentile(endpoint.latencies, 50) * 1000, 2),
        "p95_ms": round(percentile(endpoint.latencies, 95) * 1000, 2),
        "mean_ms": round(statistics.fmean(endpoint.latencies) * 1000, 2) if n else None,
        "response_bytes": endpoint.bytes,
        "queries": endpoint.queries,
    }


def machine() -> dict[str, Any]:
    def sh(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, text=True, capture_output=True, cwd=ROOT).stdout.strip()
        except OSError:
            return ""

    memory = next((line.split()[1] for line in sh("free", "-h").splitlines() if line.startswith("Mem:")), "")
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in sh("cat", "/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        "",
    )
    return {
        "cpus": int(sh("nproc") or 0),
        "cpu_model": cpu,
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": "",
        "gunicorn": sh(str(Path(PYTHON).parent / "gunicorn"), "--version"),
        "commit": sh("git", "rev-parse", "--short", "HEAD"),
        "tree_modified": bool(sh("git", "status", "--porcelain", "--untracked-files=no")),
        # Other work on the machine skews absolute figures more than ratios; say how busy it was.
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def write_results(run_result: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    existing: dict[str, Any] = {}
    if RESULTS.exists():
        try:
            existing = json.loads(RESULTS.read_text())
        except json.JSONDecodeError:
            existing = {}
    runs = existing.get("runs", {})
    runs[run_result["scale"]] = run_result
    RESULTS.write_text(
        json.dumps({"benchmark": "access_overhead", "target_ratio": TARGET, "runs": runs}, indent=2) + "\n"
    )
    log(f"wrote {RESULTS.relative_to(ROOT)}")
    write_doc(runs)


def write_doc(runs: dict[str, Any]) -> None:
    """Regenerate the access-overhead section of docs/performance.md from the results."""
    lines = [DOC_START, ""]
    order = ["small", "area", "metro", "national"]
    for scale in sorted(runs, key=lambda s: order.index(s) if s in order else 99):
        result = runs[scale]
        m = result["machine"]
        lines += [
            f"### Scale `{scale}` — {result['date']}",
            "",
            f"Machine: {m['cpus']} CPUs ({m['cpu_model'] or 'unknown CPU'}), {m['memory']} memory, "
            f"{m['os']}; Python {m['python']}, PostgreSQL {m['postgresql']}, gunicorn "
            f"{result['server']['workers']} sync workers ({m['gunicorn']}); commit {m['commit']}"
            f"{' with uncommitted changes' if m['tree_modified'] else ''}; load average at the end "
            f"{' / '.join(str(x) for x in m.get('load_average_1_5_15', [])) or 'not recorded'}.",
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
    lines.append(DOC_END)
    block = "\n".join(lines)
    text = DOC.read_text() if DOC.exists() else f"# Performance\n\n## Access overhead\n\n{DOC_START}\n{DOC_END}\n"
    if DOC_START in text and DOC_END in text:
        text = text[: text.index(DOC_START)] + block + text[text.index(DOC_END) + len(DOC_END) :]
    else:
        text = text.rstrip() + "\n\n## Access overhead\n\n" + block + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text)
    log(f"wrote {DOC.relative_to(ROOT)}")


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="small", help="the demo scale: small, area, metro, national")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/waymark_bench")
    parser.add_argument("--reuse-db", action="store_true", help="use the last run's database as it is")
    parser.add_argument("--requests", type=int, default=600, help="measured requests per endpoint (bounded)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds the requests are split into")
    parser.add_argument("--warmup", type=int, default=40, help="unmeasured requests per endpoint first")
    parser.add_argument("--concurrency", type=int, default=4, help="client connections at once")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--batch-seconds", type=float, default=60, help="time limit of one batch")
    parser.add_argument("--no-write", action="store_true", help="print the figures without writing results")
    args = parser.parse_args()
    command = "python bench/access_overhead.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    env = base_env(args.database_url)
    if not args.reuse_db:
        recreate_database(args.database_url)
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
        started = time.monotonic()
        run([PYTHON, "manage.py", "demo", "--scale", args.scale, "--seed", "1"], {**env, "WAYMARK_DEMO": "1"})
        log(f"demo data made in {time.monotonic() - started:.0f} s")
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
    count_queries(endpoints, actors)

    gunicorn = [
        str(Path(PYTHON).parent / "gunicorn"),
        "waymark.wsgi:application",
        "--bind", f"{HOST}:{args.port}",
        "--workers", str(args.workers),
        "--worker-class", "sync",
        "--log-level", "warning",
        "--timeout", "60",
    ]  # fmt: skip
    log("$ " + " ".join(gunicorn))
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=senv, start_new_session=True)
    try:
        wait_for_server(args.port, server)
        cookie = sign_in(args.port, actors["username"], actors["password"])
        loader = Loader(args.port, cookie, actors["token"])
        for endpoint in list(endpoints):
            _, status, _ = loader.one(endpoint)
            if status != 200:
                # An endpoint another issue has not built yet: leave it and its pair out, and say so.
                log(f"warning: {endpoint.path} answered HTTP {status}; left out of this run")
                missing.append(f"{endpoint.label} ({endpoint.path}): HTTP {status}")
                endpoints.remove(endpoint)
        log("warming up")
        for endpoint in endpoints:
            loader.batch(endpoint, args.warmup, args.concurrency, args.batch_seconds, record=False)
        per_round = max(1, args.requests // args.rounds)
        for round_no in range(args.rounds):
            # Rotate the order each round so neither side always runs first.
            shift = round_no % len(endpoints)
            for endpoint in endpoints[shift:] + endpoints[:shift]:
                loader.batch(endpoint, per_round, args.concurrency, args.batch_seconds)
            log(f"round {round_no + 1} of {args.rounds} done")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)

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

    info = machine()
    info["postgresql"] = postgres_version()
    result = {
        "scale": args.scale,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command,
        "machine": info,
        "server": {"kind": "gunicorn", "workers": args.workers, "settings": "WAYMARK_ENV=production, plain HTTP"},
        "load": {
            "requests_per_endpoint": per_round * args.rounds,
            "rounds": args.rounds,
            "concurrency": args.concurrency,
            "warmup": args.warmup,
        },
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
