from django.db import migrations

# The 14 allied health professions of seed 001, with radiographers recorded as diagnostic or
# therapeutic (15 codes, as NHS Employers counts them). Small and vulnerable: seed 004.
PROFESSIONS = [
    ("art_therapist", "Art therapists", False),
    ("dietitian", "Dietitians", False),
    ("dramatherapist", "Dramatherapists", False),
    ("music_therapist", "Music therapists", False),
    ("occupational_therapist", "Occupational therapists", False),
    ("operating_department_practitioner", "Operating department practitioners", False),
    ("orthoptist", "Orthoptists", True),
    ("osteopath", "Osteopaths", False),
    ("paramedic", "Paramedics", False),
    ("physiotherapist", "Physiotherapists", False),
    ("podiatrist", "Podiatrists", True),
    ("prosthetist_orthotist", "Prosthetists and orthotists", True),
    ("diagnostic_radiographer", "Diagnostic radiographers", False),
    ("therapeutic_radiographer", "Therapeutic radiographers", True),
    ("speech_and_language_therapist", "Speech and language therapists", False),
]


def add_professions(apps, schema_editor):
    Profession = apps.get_model("workforce", "Profession")
    for order, (code, name, small) in enumerate(PROFESSIONS, start=1):
        Profession.objects.update_or_create(
            code=code, defaults={"name": name, "small_and_vulnerable": small, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("workforce", "0001_initial")]
    operations = [migrations.RunPython(add_professions, migrations.RunPython.noop)]
