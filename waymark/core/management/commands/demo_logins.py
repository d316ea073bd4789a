"""`manage.py demo_logins`: print the demo's sign-ins, one per role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from waymark.access.models import User
from waymark.core.demo import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    """Print a table of the fixed demo accounts (username, password, role, service).

    Only accounts that exist and are active are listed, so the table never
    promises a sign-in that will fail.
    """

    help = "Print the demo logins (one per role) and their shared password."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--address", default="127.0.0.1:8000", help="where the demo is served (host:port)")

    def handle(self, *args: Any, **options: Any) -> None:
        users = {
            user.username: user
            for user in User.objects.filter(username__in=[login.username for login in DEMO_LOGINS], is_active=True)
        }
        rows = [
            (login.description, login.username, DEMO_PASSWORD, login.service or "Whole area")
            for login in DEMO_LOGINS
            if login.username in users
        ]
        if not rows:
            self.stdout.write("There are no demo logins in this database. Build the demo first: manage.py demo")
            return
        header = ("Role", "Username", "Password", "Service")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

        self.stdout.write("")
        self.stdout.write("Demo logins (every account shares the password):")
        self.stdout.write(line(header))
        self.stdout.write(line(tuple("-" * width for width in widths)))
        for row in rows:
            self.stdout.write(line(row))
        self.stdout.write("")
        if not settings.WAYMARK_REQUIRE_MFA:
            self.stdout.write("Multi-factor authentication is off for the demo (WAYMARK_DEMO=1).")
        self.stdout.write(f"Sign in at http://{options['address']}/accounts/login/")
