from django.db import migrations

from readiness.loading import load_templates


def load(apps, schema_editor):
    load_templates(
        apps.get_model("readiness", "Template"),
        apps.get_model("readiness", "Section"),
        apps.get_model("readiness", "Question"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("readiness", "0001_initial"),
        ("workforce", "0002_professions"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
