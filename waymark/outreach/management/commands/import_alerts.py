"""Import alerts from another referral platform's file: `manage.py import_alerts PATH --area NAME`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from waymark.access.models import Area
from waymark.outreach import services_alerts
from waymark.outreach.models import AlertSource


class Command(BaseCommand):
    """`manage.py import_alerts PATH --area "Area name" [--source import|partner]`.

    PATH is a CSV file with a header row (columns: id, received_at, seen_at,
    latitude, longitude, location, description, reporter_is_person,
    reporter_name, reporter_email, reporter_phone) or a JSON file holding a list
    of objects with the same keys. `id` is the other platform's reference: a row
    whose id was already imported from the same source into the area is skipped,
    so running the same file twice adds nothing. Each row is checked by the same
    rules as an alert sent through the API; a bad row is rejected and reported
    with its line (CSV) or item number (JSON) and the reason, and the import goes
    on. Times without a zone are London time. Rejected rows go to stderr, so a
    scheduled job's mail shows them.
    """

    help = "Import alerts (CSV or JSON) from another referral platform into an area, skipping ones already imported."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The CSV or JSON file.")
        parser.add_argument("--area", required=True, help="The area's name, e.g. 'Greater Manchester'.")
        parser.add_argument(
            "--source",
            default=AlertSource.IMPORT,
            choices=[AlertSource.IMPORT, AlertSource.PARTNER],
            help="import (default), or partner to match alerts the same platform sends through the API.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        area = Area.objects.filter(name__iexact=options["area"].strip()).first()
        if area is None:
            raise CommandError(f"There is no area called {options['area']!r}. Nothing was imported.")
        try:
            rows = services_alerts.read_alert_file(options["path"])
            result = services_alerts.import_alerts(rows, area=area, source=options["source"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages) + " Nothing was imported.") from exc
        for where, reason in result.rejected:
            self.stderr.write(f"Rejected {where}: {reason}")
        summary = (
            f"{result.created} created, {result.skipped} skipped (already imported), "
            f"{len(result.rejected)} rejected, into {area.name}."
        )
        if result.rejected:
            self.stdout.write(self.style.WARNING(summary))
        else:
            self.stdout.write(self.style.SUCCESS(summary))
