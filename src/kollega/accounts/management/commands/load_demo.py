from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kollega.accounts.demo import DEMO_PASSWORD, ensure_demo_users


class Command(BaseCommand):
    help = "Load synthetic demo data (idempotent) and print the demo sign-ins. Demo mode only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--site-url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, site_url: str, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError("Demo data is loaded only with KOLLEGA_DEMO=1 (make demo).")
        users = ensure_demo_users()
        # Each app above accounts that has synthetic data ships a `demo.load(stdout)` function;
        # the demo staff above are accounts' own.
        for config in apps.get_app_configs():
            if not config.name.startswith("kollega.") or config.name == "kollega.accounts":
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            module.load(self.stdout)
        self.stdout.write("")
        self.stdout.write(f"Kollega demo: {site_url}/")
        self.stdout.write(
            f"Staff sign-in: {site_url}/staff/login/  (password for every demo user: {DEMO_PASSWORD})"
        )
        for user in users:
            self.stdout.write(f"  {user.username:<8} {', '.join(user.roles)}")
        self.stdout.write(
            "Sign-in codes: run  .venv/bin/kollega demo-otp USERNAME  in another terminal."
        )
        self.stdout.write("")
