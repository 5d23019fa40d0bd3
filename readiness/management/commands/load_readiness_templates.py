from django.core.management.base import BaseCommand
from django.db import transaction

from readiness.loading import load_templates
from readiness.models import Question, Section, Template


class Command(BaseCommand):
    help = "Load readiness template versions from readiness/seed_data that are not loaded yet."

    def handle(self, *args, **options):
        with transaction.atomic():
            created = load_templates(Template, Section, Question)
        for code, version in created:
            self.stdout.write(f"Loaded {code} version {version}")
        if not created:
            self.stdout.write("All template versions already loaded.")
