"""Record a change of structure with its date (councils.structure):

    manage.py record_structure_change move RXE --to QF7-SHE --on 2025-04-01 --reason "..."
    manage.py record_structure_change merge RP5 RXE --into RX1 --name "..." --on 2025-04-01 \\
        --reason "..." [--place QF7-DON] [--user admin@example.org]

A full recompute is queued once the change is recorded.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from councils import structure
from councils.models import Organisation, User


def _organisation(code: str, what: str) -> Organisation:
    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None:
        raise CommandError(f"{what}: there is no organisation with the code {code}.")
    return organisation


def _month(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--on: give the date as YYYY-MM-01, not {text!r}.") from None


#: The service's fields as this command's arguments.
ARGUMENTS = {
    "organisation": "CODE",
    "providers": "CODE",
    "new_parent": "--to",
    "effective": "--on",
    "code": "--into",
    "name": "--name",
    "place": "--place",
    "reason": "--reason",
}


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(
            f"{ARGUMENTS.get(field, field)}: {' '.join(messages)}"
            for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Record that an organisation moved, or that providers merged, from a date on."

    def add_arguments(self, parser):
        changes = parser.add_subparsers(dest="change", required=True)
        move = changes.add_parser("move", help="A provider moves place, a place ICS, an ICS region")
        move.add_argument("code", help="The organisation that moves")
        move.add_argument("--to", required=True, help="Code of its new parent")
        merge = changes.add_parser("merge", help="Two or more providers merge into a new code")
        merge.add_argument("codes", nargs="+", help="The providers that merge")
        merge.add_argument("--into", required=True, help="The new provider's code")
        merge.add_argument("--name", required=True, help="The new provider's name")
        merge.add_argument("--place", help="Its place (default: the first provider's)")
        for sub in (move, merge):
            sub.add_argument("--on", required=True, help="YYYY-MM-01: the first month it applies")
            sub.add_argument("--reason", required=True, help="Why the structure changed")
            sub.add_argument("--user", help="Email of the person recording it")

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = User.objects.filter(email=options["user"].strip().lower()).first()
            if user is None:
                raise CommandError(f"--user: there is no user {options['user']}.")
        effective = _month(options["on"])
        try:
            if options["change"] == "move":
                organisation = _organisation(options["code"], "CODE")
                parent = _organisation(options["to"], "--to")
                structure.record_move(
                    organisation, parent, effective, user=user, reason=options["reason"]
                )
                message = f"{organisation.name} moves to {parent.name} from {effective:%B %Y}."
            else:
                providers = [_organisation(code, "CODE") for code in options["codes"]]
                place = _organisation(options["place"], "--place") if options["place"] else None
                successor = structure.record_merger(
                    providers,
                    code=options["into"],
                    name=options["name"],
                    effective=effective,
                    user=user,
                    reason=options["reason"],
                    place=place,
                )
                codes = ", ".join(p.code for p in providers)
                message = (
                    f"{codes} merge into {successor.code} ({successor.name}) from "
                    f"{effective:%B %Y}."
                )
        except ValidationError as error:
            raise CommandError(_messages(error)) from None
        self.stdout.write(self.style.SUCCESS(f"{message} A full recompute is queued."))
