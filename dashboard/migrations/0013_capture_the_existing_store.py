"""The first snapshot of a deployment that already has figures: the API reads metric values
through the snapshots, so the store as it stands is captured once (every figure a version of
snapshot 1). A new database (no figures) gets its first snapshot from its first recompute."""

from django.db import migrations
from django.utils import timezone

COLUMNS = (
    "organisation_id, metric, profession, band_group, month, numerator, denominator, value, "
    "people, suppressed, providers_reporting, providers_total, computed_at"
)


def capture(apps, schema_editor):
    MetricValue = apps.get_model("dashboard", "MetricValue")
    Snapshot = apps.get_model("dashboard", "Snapshot")
    Organisation = apps.get_model("councils", "Organisation")
    if Snapshot.objects.exists() or not MetricValue.objects.exists():
        return
    root = Organisation.objects.filter(depth=1).order_by("path").first()
    snapshot = Snapshot.objects.create(committed_at=timezone.now(), organisation=root)
    store = MetricValue._meta.db_table
    history = apps.get_model("dashboard", "MetricValueVersion")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {history} ({COLUMNS}, valid_from_id, valid_to_id) "
            f"SELECT {COLUMNS}, %s, NULL FROM {store}",
            [snapshot.pk],
        )
        snapshot.opened = max(cursor.rowcount, 0)
    snapshot.save(update_fields=["opened"])


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0012_snapshots_and_figure_versions")]

    operations = [migrations.RunPython(capture, migrations.RunPython.noop)]
