from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from councils.models import Organisation
from delivery.services import plan_seed_from_appendix


class Command(BaseCommand):
    help = (
        "Seed an ICS council's (or regional board's) delivery plan from seed 000 appendix 1, "
        "word for word. Safe to run again: only missing themes, actions and measures are added."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="Organisation code of the ICS or region, e.g. QF7")

    def handle(self, *args, code, **options):
        try:
            organisation = Organisation.objects.get(code=code)
        except Organisation.DoesNotExist:
            raise CommandError(f"No organisation has the code {code!r}.") from None
        try:
            result = plan_seed_from_appendix(organisation=organisation)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{organisation.name}: {result.summary()}")
