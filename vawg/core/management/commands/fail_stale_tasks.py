"""Find background work whose worker stopped, and mark it failed (vawg.core.jobs).

Run every few minutes from cron. Idempotent: a second run finds nothing more. Each app's
`tasks` module may define `fail_stale(now)`, returning how many of its jobs it failed;
this runs them all. An import's page also runs its own check when it is shown.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "Mark failed the background work whose worker stopped (TASK_STALE_MINUTES)."

    def handle(self, *args, **options):
        now = timezone.now()
        for app in apps.get_app_configs():
            if not app.name.startswith("vawg.") or find_spec(f"{app.name}.tasks") is None:
                continue
            fail_stale = getattr(import_module(f"{app.name}.tasks"), "fail_stale", None)
            if fail_stale is None:
                continue
            failed = fail_stale(now=now)
            self.stdout.write(f"{app.label}: {failed} job(s) whose worker stopped.\n")
