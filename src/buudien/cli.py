"""The `buudien` console script: every Django management command, plus `serve`."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buudien.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["buudien", *sys.argv[1:]])


if __name__ == "__main__":
    main()
