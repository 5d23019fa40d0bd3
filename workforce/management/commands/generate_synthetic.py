import os
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ahpportal import months
from councils.models import Organisation, User
from councils.tree import load_england_tree
from workforce import synthetic, synthetic_tree


def _month(value: str) -> date:
    try:
        return months.parse_month(value, any_day=True)
    except months.MonthError as error:
        raise CommandError(f"--end-month must be YYYY-MM, not {value!r}") from error


class Command(BaseCommand):
    help = (
        "Write deterministic synthetic workforce CSVs (the seven upload datasets) for the SYB ICS "
        "(demo) or all of England (england); with --import, load them through the real importer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(synthetic.SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--out",
            help="Directory for the seven CSV files (default: synthetic-data/<scale>-seed<N>/ "
            "under the current directory)",
        )
        parser.add_argument(
            "--staff",
            type=int,
            default=None,
            help="Approximate staff rows (default: 3,000 for demo, 150,000 for england)",
        )
        parser.add_argument(
            "--end-month",
            default=synthetic.DEFAULT_END_MONTH.strftime("%Y-%m"),
            help="The 24 months end with the month before this one (YYYY-MM)",
        )
        parser.add_argument(
            "--import",
            dest="do_import",
            action="store_true",
            help="Import the files through workforce.services.import_file (commit)",
        )
        parser.add_argument("--user", help="Email of the user recorded on the import runs")

    def handle(self, *args, scale, seed, out, staff, end_month, do_import, user, **options):
        if staff is not None and staff < 1:
            raise CommandError("--staff must be a positive number")
        end = _month(end_month)
        out = Path(out) if out else Path("synthetic-data") / f"{scale}-seed{seed}"
        uploader = None
        if user:
            uploader = User.objects.filter(email__iexact=user).first()
            if uploader is None:
                raise CommandError(f"No user with email {user}")
        if do_import and scale == "england":
            providers = synthetic_tree.ensure_england_providers()
            self.stdout.write(f"England tree ready: {providers} providers.")
        elif do_import and not Organisation.objects.filter(code="QF7").exists():
            load_england_tree()
        counts = synthetic.generate(out_dir=out, scale=scale, seed=seed, staff=staff, end_month=end)
        for dataset, count in counts.items():
            self.stdout.write(f"  {dataset}.csv: {count:,} rows")
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {scale} scale (seed {seed}) to {out.resolve()}{os.sep}")
        )
        if not do_import:
            return
        code = "ENG" if scale == "england" else "QF7"
        organisation = Organisation.objects.get(code=code)
        try:
            runs = synthetic.import_directory(
                directory=out, organisation=organisation, user=uploader, stdout=self.stdout
            )
        except synthetic.SyntheticImportError as error:
            raise CommandError(str(error)) from error
        rows = sum(run.rows_total for run in runs)
        self.stdout.write(
            self.style.SUCCESS(f"Imported {rows:,} rows in {len(runs)} import runs for {code}.")
        )
