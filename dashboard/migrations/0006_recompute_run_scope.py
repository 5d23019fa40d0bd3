"""RecomputeRun.scope: runs said "every provider" with ``note == "All providers"`` (or by being
a full run); the field says it now, and the note no longer carries it."""

from django.db import migrations, models
from django.db.models import Q

ALL_PROVIDERS_NOTE = "All providers"


def scope_from_note(apps, schema_editor):
    RecomputeRun = apps.get_model("dashboard", "RecomputeRun")
    every = RecomputeRun.objects.filter(Q(kind="full") | Q(note=ALL_PROVIDERS_NOTE))
    every.update(scope="all")
    RecomputeRun.objects.filter(note=ALL_PROVIDERS_NOTE).update(note="")


def note_from_scope(apps, schema_editor):
    RecomputeRun = apps.get_model("dashboard", "RecomputeRun")
    RecomputeRun.objects.filter(scope="all", note="").update(note=ALL_PROVIDERS_NOTE)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0005_change_points"),
    ]

    operations = [
        migrations.AddField(
            model_name="recomputerun",
            name="scope",
            field=models.CharField(
                choices=[("providers", "The providers listed"), ("all", "Every provider")],
                default="providers",
                help_text="Every provider, or only provider_ids (and the organisations above them)",
                max_length=10,
            ),
        ),
        migrations.RunPython(scope_from_note, note_from_scope),
    ]
