from django.core.management.base import BaseCommand

from councils.demo import current_totp_code


class Command(BaseCommand):
    help = "Print the current two-factor code for the demo admin and superuser accounts."

    def handle(self, *args, **options):
        self.stdout.write(current_totp_code())
