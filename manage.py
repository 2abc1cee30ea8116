#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartnotes.settings.base")
    from django.core.management import execute_from_command_line

    from smartnotes.env import stop_on_improper_env

    with stop_on_improper_env():
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
