#!/usr/bin/env bash
# The whole suite on SQLite, then on PostgreSQL: DATABASE_URL if set, else a
# throw-away database on the local server (pytest-django creates and drops it).
# Usage: scripts/run-tests.sh [sqlite|postgres|all] [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-all}"
[ $# -gt 0 ] && shift
pytest=(.venv/bin/pytest -q "$@")
status=0

if [ "$which" = all ]; then
  echo "== ruff and mypy (the service layer) =="
  .venv/bin/ruff check --quiet . || status=1
  .venv/bin/mypy --no-error-summary waymark/*/services*.py waymark/people/matching.py waymark/outreach/figures.py waymark/outreach/maps.py waymark/outreach/compliance.py waymark/outreach/geo.py waymark/outreach/periods.py || status=1
fi

if [ "$which" = all ] || [ "$which" = sqlite ]; then
  echo "== Tests on SQLite =="
  env -u DATABASE_URL "${pytest[@]}" || status=1
fi

if [ "$which" = all ] || [ "$which" = postgres ]; then
  url="${DATABASE_URL:-}"
  if [ -z "$url" ]; then
    if .venv/bin/python - <<'PY'
import sys, psycopg
try:
    psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"No local PostgreSQL ({exc}).")
    sys.exit(1)
PY
    then
      # pytest-django prefixes "test_": this run's database is test_waymark_<pid>.
      url="postgresql://postgres@127.0.0.1:5432/waymark_$$"
    fi
  fi
  if [ -n "$url" ]; then
    echo "== Tests on PostgreSQL =="
    DATABASE_URL="$url" "${pytest[@]}" --create-db || status=1
  elif [ "$which" = postgres ]; then
    echo "PostgreSQL was asked for but none is reachable; set DATABASE_URL." >&2
    status=1
  else
    echo "== PostgreSQL skipped: set DATABASE_URL or run a local server =="
  fi
fi
exit $status
