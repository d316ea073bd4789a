"""Create an installation's area, the organisation that runs it and its first area admin."""

from __future__ import annotations

import os
from getpass import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from waymark.access.services import bootstrap_area_admin


class Command(BaseCommand):
    """`manage.py create_area_admin --area NAME --organisation NAME --username NAME [--email E]`.

    The password is read from WAYMARK_ADMIN_PASSWORD or asked for twice. Everything
    after this is done in the administration pages, where it is audited by user.
    """

    help = "Create the area, its lead organisation and the first area admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", required=True, help="The area's name, e.g. 'Greater Manchester'.")
        parser.add_argument("--organisation", required=True, help="The organisation that runs the installation.")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("WAYMARK_ADMIN_PASSWORD") or self._ask_password()
        try:
            user = bootstrap_area_admin(
                area_name=options["area"],
                organisation_name=options["organisation"],
                username=options["username"],
                email=options["email"],
                password=password,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created area admin {user.username} for {user.area}."))
        self.stdout.write("They set up their second factor at their first sign-in.")

    def _ask_password(self) -> str:
        first = getpass("Password (12 or more characters): ")
        if first != getpass("The same password again: "):
            raise CommandError("The two passwords were different. Nothing was created.")
        return first
