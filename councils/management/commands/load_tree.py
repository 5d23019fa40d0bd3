from django.core.management.base import BaseCommand

from councils.tree import load_england_tree


class Command(BaseCommand):
    help = "Load England's 7 regions and 42 ICSs, and the SYB ICS's places and providers."

    def handle(self, *args, **options):
        counts = load_england_tree()
        summary = ", ".join(f"{count} {level}" for level, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Organisation tree loaded: {summary}."))
