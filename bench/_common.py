"""What every benchmark here shares: the bench database, the production server, signing in,
a bounded HTTP load, percentiles, the machine's description and the marked tables in
docs/performance.md.

A benchmark script imports these and adds only what it measures. Each one:
recreates its database and fills it with `manage.py demo` (`build_demo`), serves
Waymark with gunicorn on loopback (`serve`), loads it with `Loader`, and writes
`bench/results/<name>.json` (`save_run`) and its table (`replace_doc_block`).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime
import http.client
import itertools
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DOC = ROOT / "docs" / "performance.md"
HOST = "127.0.0.1"
SCALE_ORDER = ["small", "area", "metro", "national"]


@dataclass
class Endpoint:
    """One thing to request: a path (or several, taken in turn), how to authenticate, and a body for POSTs."""

    key: str
    label: str
    path: str
    auth: str  # "session", "token" or "none"
    pair: str = ""  # key of the bare endpoint it is compared with
    method: str = "GET"
    # Requests taken in turn: (path, body); empty means `path` with no body.
    variants: list[tuple[str, str | None]] = field(default_factory=list)
    content_type: str = ""
    # Send the CSRF token as a header (HTMX and form posts through the session).
    csrf: bool = False
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0
    bytes: int = 0
    queries: int | None = None
    statuses: dict[int, int] = field(default_factory=dict)
    _turn: Iterator[int] = field(default_factory=itertools.count, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def next_request(self) -> tuple[str, str | None]:
        if not self.variants:
            return self.path, None
        with self._lock:
            return self.variants[next(self._turn) % len(self.variants)]


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


def server_env(database_url: str, bench_views: bool = True) -> dict[str, str]:
    """Production settings, plain HTTP on loopback, API throttle out of the way (bare views on if asked)."""
    env = base_env(database_url)
    env.update(
        WAYMARK_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=f"{HOST},localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        WAYMARK_API_USER_RATE="100000000/min",
        WAYMARK_LOGIN_RATE="1000/min",
    )
    if bench_views:
        env.update(WAYMARK_BENCH_VIEWS="1", WAYMARK_BENCH_ALLOWED="1")
    return env


def build_demo(args: Any, env: dict[str, str], extra: list[str] | None = None) -> dict[str, Any]:
    """A fresh database with the demo at `args.scale`, seed 1; returns how long the build took.

    With `args.reuse_db` the database is left as it is and nothing is timed.
    """
    if args.reuse_db:
        return {}
    recreate_database(args.database_url)
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    cmd = [PYTHON, "manage.py", "demo", "--scale", args.scale, "--seed", "1", "--no-progress", *(extra or [])]
    started = time.monotonic()
    out = run(cmd, {**env, "WAYMARK_DEMO": "1"}, quiet=True)
    seconds = time.monotonic() - started
    sys.stdout.write(out)
    log(f"demo data made in {seconds:.0f} s")
    steps = {m[1]: float(m[2]) for m in re.finditer(r"^\s+([\w.]+): .* in ([\d.]+)s$", out, flags=re.MULTILINE)}
    rows = sum(int(n.replace(",", "")) for n in re.findall(r"([\d,]+) \w+\.\w+", "\n".join(
        line for line in out.splitlines() if re.match(r"^\s+[\w.]+: ", line)
    )))  # fmt: skip
    return {"command": "manage.py " + " ".join(cmd[2:]), "seconds": round(seconds, 1), "steps": steps, "rows": rows}


def setup_django(env: dict[str, str]) -> None:
    """Django in this process, against the bench database (for picking actors and counting queries)."""
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def count_queries(endpoints: list[Endpoint], username: str, token: str) -> None:
    """Database queries per request of each endpoint, through Django's test client in-process
    (the first of its requests, after one unmeasured request)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user = get_user_model().objects.get(username=username)
    # A broken page answers 500 here and is left out of the load (and reported), not a crash.
    signed = Client(raise_request_exception=False)
    signed.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    signed.get("/")  # the first request of a session writes it; later ones do not
    plain = Client(raise_request_exception=False)
    for endpoint in endpoints:
        client = signed if endpoint.auth == "session" else plain
        headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if endpoint.auth == "token" else {}
        path, body = endpoint.variants[0] if endpoint.variants else (endpoint.path, None)
        _send(client, endpoint, path, body, headers)
        with CaptureQueriesContext(connection) as captured:
            response = _send(client, endpoint, path, body, headers)
        endpoint.queries = len(captured.captured_queries) if response.status_code == 200 else None


def _send(client: Any, endpoint: Endpoint, path: str, body: str | None, headers: dict[str, str]) -> Any:
    if endpoint.method == "POST":
        return client.post(path, body or "", content_type=endpoint.content_type, **headers)
    return client.get(path, **headers)


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


CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def signed_in_session(port: int, username: str, password: str) -> Session:
    """Sign in through the real login form; returns the session with its cookies."""
    session = Session(port)
    _, page = session.request("GET", "/accounts/login/")
    match = CSRF_FIELD.search(page)
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
    return session


def sign_in(port: int, username: str, password: str) -> str:
    """Sign in through the real login form; returns the session cookie."""
    return signed_in_session(port, username, password).cookies["sessionid"]


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


@contextlib.contextmanager
def serve(env: dict[str, str], port: int, workers: int) -> Iterator[subprocess.Popen]:
    """gunicorn with sync workers on loopback, stopped (its whole process group) on the way out."""
    gunicorn = [
        str(Path(PYTHON).parent / "gunicorn"),
        "waymark.wsgi:application",
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        "--worker-class", "sync",
        "--log-level", "warning",
        "--timeout", "60",
    ]  # fmt: skip
    log("$ " + " ".join(gunicorn))
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_for_server(port, server)
        yield server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


class Loader:
    """A bounded load: `count` requests over `concurrency` keep-alive connections, at most `limit` seconds."""

    def __init__(self, port: int, session_cookie: str, token: str, csrf_token: str = "") -> None:
        self.port = port
        self.session_cookie = session_cookie
        self.token = token
        self.csrf_token = csrf_token
        self.local = threading.local()

    def headers(self, endpoint: Endpoint) -> dict[str, str]:
        headers = {"Host": f"{HOST}:{self.port}", "Accept-Encoding": "identity"}
        if endpoint.auth == "session":
            cookie = f"sessionid={self.session_cookie}"
            if self.csrf_token:
                cookie += f"; csrftoken={self.csrf_token}"
            headers["Cookie"] = cookie
            if endpoint.csrf:
                headers["X-CSRFToken"] = self.csrf_token
                headers["HX-Request"] = "true"
        elif endpoint.auth == "token":
            headers["Authorization"] = f"Token {self.token}"
            headers["Accept"] = "application/json"
        if endpoint.content_type:
            headers["Content-Type"] = endpoint.content_type
        return headers

    def one(self, endpoint: Endpoint) -> tuple[float, int, int]:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        path, body = endpoint.next_request()
        start = time.perf_counter()
        try:
            conn.request(endpoint.method, path, body=body.encode() if body else None, headers=self.headers(endpoint))
            response = conn.getresponse()
            data = response.read()
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException):
            conn.close()
            self.local.conn = None
            return time.perf_counter() - start, 599, 0
        return time.perf_counter() - start, response.status, len(data)

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
            endpoint.statuses[status] = endpoint.statuses.get(status, 0) + 1
            if status == 200:
                endpoint.latencies.append(latency)
                endpoint.bytes = size
            else:
                endpoint.errors += 1

    def measure(self, endpoints: list[Endpoint], args: Any) -> int:
        """Warm up, then `args.requests` per endpoint in `args.rounds` interleaved rounds; returns
        the requests per endpoint actually asked for."""
        log("warming up")
        for endpoint in endpoints:
            self.batch(endpoint, args.warmup, args.concurrency, args.batch_seconds, record=False)
        per_round = max(1, args.requests // args.rounds)
        for round_no in range(args.rounds):
            # Rotate the order each round so no endpoint always runs first.
            shift = round_no % len(endpoints)
            for endpoint in endpoints[shift:] + endpoints[:shift]:
                self.batch(endpoint, per_round, args.concurrency, args.batch_seconds)
            log(f"round {round_no + 1} of {args.rounds} done")
        return per_round * args.rounds


def add_load_arguments(parser: Any, requests: int = 600) -> None:
    """The knobs every HTTP benchmark has."""
    parser.add_argument("--scale", default="small", help="the demo scale: small, area, metro, national")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/waymark_bench")
    parser.add_argument("--reuse-db", action="store_true", help="use the last run's database as it is")
    parser.add_argument("--requests", type=int, default=requests, help="measured requests per endpoint (bounded)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds the requests are split into")
    parser.add_argument("--warmup", type=int, default=40, help="unmeasured requests per endpoint first")
    parser.add_argument("--concurrency", type=int, default=4, help="client connections at once")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--batch-seconds", type=float, default=60, help="time limit of one batch")
    parser.add_argument("--no-write", action="store_true", help="print the figures without writing results")


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
        "method": endpoint.method,
        "auth": endpoint.auth,
        "variants": len(endpoint.variants) or 1,
        "requests": n,
        "errors": endpoint.errors,
        "statuses": {str(k): v for k, v in sorted(endpoint.statuses.items())},
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


def machine_line(result: dict[str, Any]) -> str:
    """The machine a run was measured on, as one sentence for the docs."""
    m = result["machine"]
    return (
        f"Machine: {m['cpus']} CPUs ({m['cpu_model'] or 'unknown CPU'}), {m['memory']} memory, "
        f"{m['os']}; Python {m['python']}, PostgreSQL {m['postgresql']}, gunicorn "
        f"{result['server']['workers']} sync workers ({m['gunicorn']}); commit {m['commit']}"
        f"{' with uncommitted changes' if m['tree_modified'] else ''}; load average at the end "
        f"{' / '.join(str(x) for x in m.get('load_average_1_5_15', [])) or 'not recorded'}."
    )


def save_run(path: Path, benchmark: str, result: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Keep the latest run of each scale in `path`; returns every scale's run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    existing: dict[str, Any] = {}
    if path.exists():
        try:
            existing = json.loads(path.read_text())
        except json.JSONDecodeError:
            existing = {}
    runs = existing.get("runs", {})
    runs[result["scale"]] = result
    path.write_text(json.dumps({"benchmark": benchmark, **extra, "runs": runs}, indent=2) + "\n")
    log(f"wrote {path.relative_to(ROOT)}")
    return runs


def by_scale(runs: dict[str, Any]) -> list[str]:
    return sorted(runs, key=lambda s: SCALE_ORDER.index(s) if s in SCALE_ORDER else 99)


def replace_doc_block(start: str, end: str, block_lines: list[str], heading: str) -> None:
    """Put `block_lines` between the markers in docs/performance.md (a new section under `heading`
    at the end when the markers are not there yet)."""
    block = "\n".join([start, "", *block_lines, end])
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + f"\n\n## {heading}\n\n" + block + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text)
    log(f"wrote {DOC.relative_to(ROOT)}")


def run_record(args: Any, command: str, requests_per_endpoint: int) -> dict[str, Any]:
    """The head of a benchmark's result: the scale, when, the command, the machine and the load."""
    info = machine()
    info["postgresql"] = postgres_version()
    return {
        "scale": args.scale,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command,
        "machine": info,
        "server": {"kind": "gunicorn", "workers": args.workers, "settings": "WAYMARK_ENV=production, plain HTTP"},
        "load": {
            "requests_per_endpoint": requests_per_endpoint,
            "rounds": args.rounds,
            "concurrency": args.concurrency,
            "warmup": args.warmup,
        },
    }
