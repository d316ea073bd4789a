"""`python -m waymark <command>` is the same as `manage.py <command>`."""

import os
import sys

from django.core.management import execute_from_command_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waymark.settings")
execute_from_command_line(sys.argv)
