"""The problems an import finds: the first ``ERRORS_KEPT`` kept on the run, the rest spilled
to an errors CSV, and every one read back for the download."""

from __future__ import annotations

import csv
import tempfile

from django.core.files import File

from .models import ImportRun

ERRORS_KEPT = 1000  # errors stored on the run; the full list goes to an errors CSV
ERROR_HEADER = ["row", "column", "reason"]


class ErrorLog:
    """The first ``ERRORS_KEPT`` errors in memory; any more spill to a temporary CSV."""

    def __init__(self):
        self.count = 0
        self.first: list[dict] = []
        self._spill = None
        self._writer = None

    def add(self, row, column: str, reason: str) -> None:
        self.count += 1
        if len(self.first) < ERRORS_KEPT:
            self.first.append({"row": row, "column": column, "reason": reason})
            return
        if self._spill is None:
            self._spill = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
            self._writer = csv.writer(self._spill)
        from .csv_safety import safe_row

        self._writer.writerow(safe_row([row, column, reason]))

    def save_full(self, run: ImportRun) -> None:
        """Store the complete error list as a CSV when it did not fit on the run."""
        if self._spill is None:
            return
        from .csv_safety import write_safe_csv

        with tempfile.TemporaryFile("w+b") as out:
            import io

            text = io.TextIOWrapper(out, encoding="utf-8", newline="")
            write_safe_csv(
                text, ([e["row"], e["column"], e["reason"]] for e in self.first), ERROR_HEADER
            )
            self._spill.seek(0)
            for line in self._spill:
                text.write(line)
            text.flush()
            text.detach()
            out.seek(0)
            run.errors_file.save("errors.csv", File(out), save=False)
        self._spill.close()
        self._spill = None


def error_rows(run: ImportRun):
    """Every error of a run as ``[row, column, reason]`` (the full list when it was spilled)."""
    if run.errors_file:
        with run.errors_file.open("rb") as raw:
            import io

            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            reader = csv.reader(text)
            next(reader, None)
            yield from reader
            text.detach()
        return
    for error in run.errors:
        yield [error.get("row") or "", error.get("column", ""), error.get("reason", "")]
