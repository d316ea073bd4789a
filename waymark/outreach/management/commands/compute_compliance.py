"""Compute monthly compliance (data-quality) scores, for cron.

    manage.py compute_compliance                      # last month, every active service
    manage.py compute_compliance --month 2025-03      # a given month
    manage.py compute_compliance --month 2025-03 --service <service id>

Scores the people each service registered and the street contacts it recorded
in the month (London time) against its area's essential fields, and saves one
score per service and month (running it again replaces it). Installations with
Celery beat do not need it: the same job runs there on the first of each month.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from waymark.access.models import Service
from waymark.outreach import compliance


class Command(BaseCommand):
    help = "Compute monthly compliance scores (default: last month, every active service)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="The month to score, as YYYY-MM (default: last month, London time).")
        parser.add_argument("--service", help="Only this service (its id, a UUID).")

    def handle(self, *args: Any, **options: Any) -> None:
        """Score one service, or every active service, for the month, and say how many scores were saved."""
        try:
            month = compliance.parse_month(options["month"]) if options["month"] else compliance.previous_month()
        except ValidationError as exc:
            raise CommandError(f"--month: {' '.join(exc.messages)}") from None
        if month > compliance.this_month():
            raise CommandError("--month: that month has not started yet.")
        if options["service"]:
            try:
                public_id = UUID(options["service"])
            except ValueError:
                raise CommandError("--service: give the service's id, a UUID.") from None
            service = Service.objects.select_related("organisation").filter(public_id=public_id).first()
            if service is None:
                raise CommandError("--service: no service has that id.")
            score = compliance.compute_month(service, month)
            if score is None:
                self.stdout.write(f"{service.name} entered nothing in {month:%B %Y}: no score.")
            else:
                self.stdout.write(f"{service.name}, {month:%B %Y}: {score.score}% of essential fields present.")
            return
        saved = compliance.compute_all(month)
        self.stdout.write(f"Saved {saved} compliance score{'' if saved == 1 else 's'} for {month:%B %Y}.")
