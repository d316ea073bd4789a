"""bench/outreach.py's pieces load and its command line reads as documented (no timing here:
speed is shown by running the benchmark, never asserted in tests)."""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def bench_outreach():
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("outreach")
    finally:
        sys.path.remove(str(BENCH))


def test_defaults_are_the_issue_targets_load(bench_outreach):
    args = bench_outreach.parse_args([])
    assert args.database_url.endswith("/waymark_bench_outreach")
    assert (args.users, args.spawn_rate, args.run_time) == (50, 10, "60s")
    assert args.workers >= 2
    assert not args.reuse_db
    assert bench_outreach.TARGETS == {
        "figures_s": 2.0,
        "hotspots_s": 1.0,
        "alert_queue_p95_ms": 100,
        "record_contact_p95_ms": 150,
    }


def test_arguments_are_read(bench_outreach):
    args = bench_outreach.parse_args(
        ["--scale", "metro", "--reuse-db", "--database-url", "postgresql://x/y", "--users", "20", "--run-time", "2m"]
    )
    assert (args.scale, args.reuse_db, args.database_url, args.users) == ("metro", True, "postgresql://x/y", 20)
    assert bench_outreach._seconds(args.run_time) == 120


def test_quarter_is_written_as_the_maps_read_it(bench_outreach):
    import datetime

    assert bench_outreach._quarter_text(datetime.date(2026, 7, 1)) == "2026-Q3"
    assert bench_outreach._quarter_text(datetime.date(2025, 12, 31)) == "2025-Q4"


def test_locustfile_is_valid_python_with_the_worker_class():
    # Parsed, not imported: locust's gevent patching breaks a process that has Django in it.
    tree = ast.parse((BENCH / "locustfile_outreach.py").read_text())
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    assert "OutreachWorker" in classes
