#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys
from pathlib import Path

from dotenv import load_dotenv


def main() -> None:
    # A checkout set up by `make demo` has a development .env beside this file (DEBUG=1 and a
    # generated SECRET_KEY), so that any command works there. Variables already in the
    # environment win. Only manage.py reads it: the WSGI server and the tests never do.
    load_dotenv(Path(__file__).resolve().with_name(".env"), override=False)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
