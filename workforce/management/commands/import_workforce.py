"""``manage.py import_workforce DATASET FILE --organisation CODE [--user EMAIL] [--dry-run]``.

The same code path as the upload page and the API (:func:`workforce.services.import_file`).
Exits non-zero when the file is rejected or the import fails, printing the first errors.
"""

from django.core.management.base import BaseCommand, CommandError

from councils.models import Organisation, User
from workforce import services
from workforce.datasets import DATASETS
from workforce.models import ImportRun

ERRORS_PRINTED = 20


class Command(BaseCommand):
    help = "Import a workforce dataset file (CSV or XLSX) for an organisation's providers."

    def add_arguments(self, parser):
        parser.add_argument("dataset", choices=sorted(DATASETS))
        parser.add_argument("file")
        parser.add_argument(
            "--organisation",
            required=True,
            help="Code of the organisation the file is for (a provider or an organisation above "
            "its providers)",
        )
        parser.add_argument(
            "--user",
            help="Email of the data manager importing (their import scope applies); "
            "without it the import is recorded as a system import",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count only; write nothing"
        )

    def handle(self, *args, dataset, file, organisation, user=None, dry_run=False, **options):
        try:
            org = Organisation.objects.get(code=organisation)
        except Organisation.DoesNotExist:
            raise CommandError(f"No organisation with code {organisation!r}") from None
        importer = None
        if user:
            try:
                importer = User.objects.get(email__iexact=user)
            except User.DoesNotExist:
                raise CommandError(f"No user with email {user!r}") from None
        try:
            run = services.import_path(
                dataset=dataset, path=file, organisation=org, user=importer, commit=not dry_run
            )
        except services.ImportNotAllowed as refusal:
            raise CommandError(str(refusal)) from None
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        self.stdout.write(
            f"{run.get_status_display()}: {dataset} from {run.file_name} "
            f"(sha256 {run.sha256[:12]}) run {run.pk}: {run.rows_total} rows, "
            f"{run.rows_added} to add, {run.rows_updated} to update, "
            f"{run.rows_unchanged} unchanged, {run.error_count} errors"
            if run.status == ImportRun.Status.VALIDATED
            else f"{run.get_status_display()}: {dataset} from {run.file_name} "
            f"(sha256 {run.sha256[:12]}) run {run.pk}: {run.rows_total} rows, "
            f"{run.rows_added} added, {run.rows_updated} updated, "
            f"{run.rows_unchanged} unchanged, {run.error_count} errors"
        )
        if run.status in (ImportRun.Status.REJECTED, ImportRun.Status.FAILED):
            for error in run.errors[:ERRORS_PRINTED]:
                where = f"row {error['row']}" if error.get("row") else "file"
                column = f", {error['column']}" if error.get("column") else ""
                self.stderr.write(f"  {where}{column}: {error['reason']}")
            if run.error_count > ERRORS_PRINTED:
                self.stderr.write(f"  ... and {run.error_count - ERRORS_PRINTED} more")
            raise CommandError(f"Import {run.get_status_display().lower()}; nothing was written.")
