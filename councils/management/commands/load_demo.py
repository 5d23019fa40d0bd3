import importlib

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from councils.demo import DEMO_PASSWORD, load_demo_users

# Each app that has demo data provides ``<app>.demo.load(*, stdout)``; they run in this order.
DEMO_STEPS = [
    "workforce.demo",
    "councils.structure_demo",  # before the dashboard's full recompute, which is on its structure
    "dashboard.demo",
    "readiness.demo",
    "delivery.demo",
    "delivery.meeting_demo",
]


class Command(BaseCommand):
    help = "Load the organisation tree, demo users for every role and the apps' demo data."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Refusing to create demo users: DEBUG is off (production settings).")
        call_command("load_tree", stdout=self.stdout)
        for email, role, org in load_demo_users():
            self.stdout.write(f"  {email:28} {role:13} {org}")
        self.stdout.write(f"Demo password for every user: {DEMO_PASSWORD}")
        for step in DEMO_STEPS:
            importlib.import_module(step).load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
