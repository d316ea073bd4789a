"""The demo data generator: a registry of steps, one module per app.

Each app that contributes demo data has a `demo.py` exposing `STEPS`, a list
of `Step(name, order, run)`. `manage.py demo` discovers them in every
installed `waymark.*` app, sorts them by `order` and runs each inside its own
transaction, passing one `DemoContext`. A later issue adds its records by
adding a `demo.py` to its app; nothing here changes.

Steps must be deterministic: take randomness only from `ctx.random(name)` and
`ctx.faker(name)`, which are seeded from the run's seed and the step's name,
so adding or reordering another step never changes this step's output.
Insert rows with `ctx.bulk_create()`, which batches and shows progress, or,
for the millions of rows of the largest tables, `ctx.insert_rows()`, which
streams plain tuples with COPY on PostgreSQL.

Order numbers in use: 10 access structure, 20 access users, 30 people,
35 people's match keys, 40 casework episodes, 45 case notes, 50 outreach
outlines, 52 street contacts, 54 alerts. Leave gaps for later apps.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import IO, Any, TypeVar

from django.apps import apps
from django.db import connection, models, transaction
from faker import Faker
from tqdm import tqdm

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")

# One password for every demo account, printed by `manage.py demo_logins`.
# The demo refuses to run in production, so it never guards real data.
DEMO_PASSWORD = "waymark-demo-2026"  # noqa: S105


@dataclass(frozen=True)
class DemoLogin:
    """A fixed account every demo has, so the README can name it."""

    username: str
    first_name: str
    last_name: str
    role: str  # a Role value
    description: str
    job_title: str
    # The fixed service (by name) for service roles; empty for area-wide roles.
    service: str = ""


@dataclass(frozen=True)
class Scale:
    """How big a demo area is."""

    name: str
    area: str
    districts: int
    organisations: int
    services: int
    users: int
    people: int
    # Timeline events: case notes plus episode starts and ends. Notes fill what
    # the episodes leave, so `area` has about a million in all.
    events: int = 0


SCALES: dict[str, Scale] = {
    "small": Scale("small", "Greater Manchester", 4, 12, 25, 80, 300, 9_000),
    "area": Scale("area", "Greater Manchester", 10, 60, 160, 1_200, 30_000, 1_000_000),
    "metro": Scale("metro", "London", 33, 40, 80, 1_000, 150_000, 1_500_000),
    "national": Scale("national", "England", 300, 1_000, 3_000, 20_000, 1_000_000, 4_000_000),
}

# Rows per COPY in `insert_rows`.
COPY_BATCH = 20_000

# Where `manage.py demo` writes the seeded near-duplicates' truth unless told otherwise.
TRUTH_DIR = Path("build") / "demo"


def default_truth_file(scale: str, seed: int) -> Path:
    """The near-duplicates' truth file of a scale and seed, under build/ (never committed)."""
    return TRUTH_DIR / f"near-duplicates-{scale}-seed{seed}.json"


def stable_seed(*parts: Any) -> int:
    """A seed from values, the same in every process (str hashes are salted per process)."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of up to `size` items (itertools.batched arrives only in Python 3.12)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class DemoContext:
    """What every step receives: the scale, seeded randomness and bulk helpers."""

    scale: Scale
    seed: int
    batch_size: int = 2000
    show_progress: bool | None = None  # None: only on a terminal
    progress_file: IO[str] | None = None
    # Set by the first step; later steps read the area's rows from the database.
    area: Any = None
    # Counts of rows each step created, for the summary.
    created: dict[str, int] = field(default_factory=dict)
    # The seeded near-duplicates, for the truth file: dicts made by people/demo.py.
    near_duplicates: list[dict[str, Any]] = field(default_factory=list)

    def random(self, name: str) -> random.Random:
        """A random generator seeded from the run's seed and `name`."""
        return random.Random(stable_seed(self.seed, name))

    def faker(self, name: str, locale: str = "en_GB") -> Faker:
        """A Faker (UK English unless another locale is named) seeded from the run's seed and `name`."""
        fake = Faker(locale)
        fake.seed_instance(stable_seed(self.seed, "faker", name))
        return fake

    @staticmethod
    def uuid(rng: random.Random) -> uuid.UUID:
        """A version-4 UUID drawn from `rng`, so public ids (and URLs) repeat with the seed."""
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    def progress(self, total: int | None, desc: str) -> tqdm:
        """A progress bar (on stderr, and only on a terminal unless asked)."""
        disable = None if self.show_progress is None else not self.show_progress
        return tqdm(total=total, desc=desc, unit=" rows", disable=disable, file=self.progress_file, leave=False)

    def bulk_create(
        self,
        model: type[M],
        objects: Iterable[M],
        *,
        total: int | None = None,
        desc: str = "",
        keep: bool = False,
    ) -> list[M]:
        """Insert objects in batches with a progress bar; return them (with keys) when `keep`."""
        kept: list[M] = []
        count = 0
        with self.progress(total, desc or model._meta.verbose_name_plural) as bar:
            for batch in batched(objects, self.batch_size):
                created = model.objects.bulk_create(batch)
                count += len(batch)
                bar.update(len(batch))
                if keep:
                    kept.extend(created)
        label = model._meta.label
        self.created[label] = self.created.get(label, 0) + count
        return kept

    def insert_rows(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        total: int | None = None,
        desc: str = "",
    ) -> int:
        """Insert plain rows (tuples in the order of `columns`, field attnames) as fast as the
        database allows; return how many.

        On PostgreSQL the rows stream through COPY, several times faster than
        `bulk_create` for the million-row tables; elsewhere they become model
        instances and go through `bulk_create`. Every column not named gets its
        field's default (computed once, so name every unique column) and
        `auto_now`/`auto_now_add` columns get the time of the call: no model
        code runs, so give every value that matters.
        """
        meta = model._meta
        named = [meta.get_field(name) for name in columns]
        count = 0
        with self.progress(total, desc or meta.verbose_name_plural) as bar:
            if connection.vendor == "postgresql":
                now = datetime.datetime.now(tz=datetime.UTC)
                rest = [
                    f for f in meta.concrete_fields if f not in named and not f.primary_key and f.attname not in columns
                ]
                fill = tuple(
                    now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
                    for f in rest
                )
                names = ", ".join(connection.ops.quote_name(f.column) for f in [*named, *rest])
                sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({names}) FROM STDIN"
                # One COPY per batch, the batch drawn before it starts: the connection is busy
                # during a COPY, and a generator that reads the database would wait on itself.
                for batch in batched(rows, max(self.batch_size, COPY_BATCH)):
                    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                        for row in batch:
                            copy.write_row((*row, *fill) if fill else row)
                    count += len(batch)
                    bar.update(len(batch))
            else:
                for batch in batched(rows, self.batch_size):
                    model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in batch])
                    count += len(batch)
                    bar.update(len(batch))
        self.created[meta.label] = self.created.get(meta.label, 0) + count
        return count


@dataclass(frozen=True)
class Step:
    """One unit of demo data: `run(ctx)` is called once, inside its own transaction."""

    name: str
    order: int
    run: Callable[[DemoContext], None]
    description: str = ""


def discover_steps() -> list[Step]:
    """Every `STEPS` entry of every installed waymark app's `demo` module, in order."""
    steps: list[Step] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("waymark."):
            continue
        module_name = f"{config.name}.demo"
        # find_spec, not try/except ImportError: a broken demo.py must fail loudly.
        if find_spec(module_name) is None:
            continue
        steps.extend(getattr(import_module(module_name), "STEPS", []))
    names = [step.name for step in steps]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"Demo step names must be unique: {', '.join(duplicates)}")
    return sorted(steps, key=lambda step: (step.order, step.name))


def _analyse(added: dict[str, int]) -> None:
    """Refresh PostgreSQL's statistics on the tables a step filled.

    Autovacuum catches up only later: the next step's queries were planned as if
    the tables were still empty (40 people in a metro area) and crawled through
    nested loops, taking minutes over what takes seconds.
    """
    if connection.vendor != "postgresql" or not added:
        return
    tables = set()
    for label in added:
        # Labels are "app.Model"; an M2M's ("casework.CaseNote_mentions") is its through model's.
        try:
            tables.add(apps.get_model(label)._meta.db_table)
        except (LookupError, ValueError):
            continue
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f'ANALYZE "{table}"')


def run_steps(ctx: DemoContext, steps: list[Step], report: Callable[[str], None] = lambda _: None) -> None:
    """Run the steps in order, each in a transaction of its own, reporting the time each took."""
    for step in steps:
        started = time.perf_counter()
        before = dict(ctx.created)
        with transaction.atomic():
            step.run(ctx)
        added = {label: n - before.get(label, 0) for label, n in ctx.created.items() if n != before.get(label, 0)}
        _analyse(added)
        rows = ", ".join(f"{n:,} {label}" for label, n in added.items()) or "no rows"
        report(f"{step.name}: {rows} in {time.perf_counter() - started:.1f}s")


# The fixed accounts. Their services are created by access/demo.py under these names.
OUTREACH_SERVICE = "Northway Street Outreach"
HOSTEL_SERVICE = "Harbour House"
REFUGE_SERVICE = "Safe Haven Refuge"
LOOKUP_SERVICE = "City Partners Advice Line"

DEMO_LOGINS: list[DemoLogin] = [
    DemoLogin(
        "outreach.worker", "Olivia", "Bennett", "contributor", "Outreach worker", "Outreach Worker", OUTREACH_SERVICE
    ),
    DemoLogin("hostel.worker", "Harry", "Walsh", "contributor", "Hostel key worker", "Key Worker", HOSTEL_SERVICE),
    DemoLogin(
        "refuge.worker",
        "Rita",
        "Chowdhury",
        "contributor",
        "Refuge worker (restricted service)",
        "Refuge Worker",
        REFUGE_SERVICE,
    ),
    DemoLogin("viewer", "Victor", "Adeyemi", "viewer", "View-only partner", "Advice Worker", LOOKUP_SERVICE),
    DemoLogin(
        "manager", "Maggie", "O'Connor", "manager", "Service manager (Harbour House)", "Hostel Manager", HOSTEL_SERVICE
    ),
    DemoLogin("coordinator", "Colin", "Hughes", "coordinator", "Coordinator (area-wide)", "Rough Sleeping Coordinator"),
    DemoLogin("admin", "Adaeze", "Okafor", "area_admin", "Area admin", "Systems Administrator"),
    DemoLogin("analyst", "Anika", "Shah", "analyst", "Analyst (counts only)", "Data Analyst"),
]
