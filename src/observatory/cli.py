"""The `observatory` console script: Django's management commands under one name.

`observatory create-token ...` runs the `create_token` command: hyphens in the
command name are accepted for readability.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatory.config.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "observatory"
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
