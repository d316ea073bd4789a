"""`manage.py demo`: build a demo area with realistic, invented UK data."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from waymark.access.models import Area
from waymark.audit.models import AuditKind
from waymark.audit.services import record
from waymark.core.demo import SCALES, DemoContext, default_truth_file, discover_steps, run_steps


class Command(BaseCommand):
    """Build the demo area: every app's demo steps, in order, at the chosen scale.

    Deterministic: the same --seed gives the same names, organisations and
    people. Refuses to run in production, because every demo account shares a
    published password.
    """

    help = "Build a demo area (structure, staff, people, episodes, case notes) with seeded, realistic UK data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=list(SCALES), default="small", help="How big (default: small).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if the database already has an area.")
        parser.add_argument("--batch-size", type=int, default=2000, help="Rows per bulk insert.")
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bars.")
        parser.add_argument(
            "--truth-file",
            type=Path,
            default=None,
            help="Where to write the seeded near-duplicates' truth (JSON; default "
            "build/demo/near-duplicates-SCALE-seedN.json).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo creates accounts with a published password; it never runs in production.")
        scale = SCALES[options["scale"]]
        if options["if_empty"] and Area.objects.exists():
            self.stdout.write("The database already has an area; the demo data was left as it is.")
            return
        if Area.objects.filter(name=scale.area).exists():
            raise CommandError(
                f"An area called {scale.area!r} already exists. Use a fresh database, or --if-empty to skip."
            )
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        ctx = DemoContext(
            scale=scale,
            seed=options["seed"],
            batch_size=options["batch_size"],
            show_progress=False if options["no_progress"] or options["verbosity"] == 0 else None,
            progress_file=self.stderr._out,
        )
        steps = discover_steps()
        self.stdout.write(f"Building the {scale.name} demo area ({scale.area}, seed {ctx.seed}): {len(steps)} steps.")
        started = time.perf_counter()
        report = self.stdout.write if options["verbosity"] > 0 else (lambda _: None)
        run_steps(ctx, steps, report=lambda line: report(f"  {line}"))
        record(
            AuditKind.ADMIN,
            f"Built the {scale.name} demo area",
            obj=ctx.area,
            username="manage.py demo",
            detail={"scale": scale.name, "seed": ctx.seed, "rows": ctx.created},
        )
        elapsed = time.perf_counter() - started
        truth_file = options["truth_file"] or settings.BASE_DIR / default_truth_file(scale.name, ctx.seed)
        self.write_truth(Path(truth_file), ctx)
        rows = sum(ctx.created.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo area built in {elapsed:.1f}s: {scale.people / elapsed:,.0f} people/s, "
                f"{rows:,} rows at {rows / elapsed:,.0f} rows/s."
            )
        )

    def write_truth(self, path: Path, ctx: DemoContext) -> None:
        """The seeded near-duplicates: which records are the same person, and how they differ."""
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "scale": ctx.scale.name,
            "seed": ctx.seed,
            "area": ctx.scale.area,
            "people": ctx.scale.people,
            "pairs": ctx.near_duplicates,
        }
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        self.stdout.write(f"Near-duplicates' truth ({len(ctx.near_duplicates):,} pairs) written to {path}.")
