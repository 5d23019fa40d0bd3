"""Building the organisation tree (used by the loader commands and tests)."""

import json
from pathlib import Path

from django.db import transaction

from .models import Body, Level, Organisation

SEED_FILE = Path(__file__).parent / "seed_data" / "england.json"


def organisation_ensure(
    *,
    parent: Organisation | None,
    code: str,
    name: str,
    level: str,
    short_name: str = "",
    provider_type: str = "",
) -> Organisation:
    """Create the organisation under ``parent`` or update its names and provider type; codes
    are stable keys."""
    org = Organisation.objects.filter(code=code).first()
    if org is None:
        fields = {
            "code": code,
            "name": name,
            "level": level,
            "short_name": short_name,
            "provider_type": provider_type,
        }
        if parent is None:
            return Organisation.add_root(**fields)
        parent.refresh_from_db()  # treebeard needs the parent's current numchild
        return parent.add_child(**fields)
    wanted = (name, short_name, level, provider_type)
    if (org.name, org.short_name, org.level, org.provider_type) != wanted:
        org.name, org.short_name, org.level, org.provider_type = wanted
        org.save(update_fields=["name", "short_name", "level", "provider_type"])
    return org


def _ensure_bodies(org: Organisation) -> None:
    kinds = {
        Level.REGION: [(Body.Kind.REGIONAL_BOARD, "Regional AHP board")],
        Level.ICS: [
            (Body.Kind.ICS_COUNCIL, "ICS AHP council"),
            (Body.Kind.ICS_FACULTY, "ICS AHP faculty"),
        ],
    }.get(org.level, [])
    for kind, label in kinds:
        Body.objects.get_or_create(
            organisation=org, kind=kind, defaults={"name": f"{org.display_name} {label}"}
        )


@transaction.atomic
def load_england_tree(seed_file: Path = SEED_FILE) -> dict[str, int]:
    """England, its 7 regions and 42 ICSs, and the SYB ICS's places and providers. Idempotent."""
    data = json.loads(seed_file.read_text())
    england = organisation_ensure(
        parent=None,
        code=data["england"]["code"],
        name=data["england"]["name"],
        level=Level.ENGLAND,
    )
    for region_data in data["regions"]:
        region = organisation_ensure(
            parent=england, code=region_data["code"], name=region_data["name"], level=Level.REGION
        )
        _ensure_bodies(region)
        for ics_data in region_data["icss"]:
            ics = organisation_ensure(
                parent=region,
                code=ics_data["code"],
                name=ics_data["name"],
                level=Level.ICS,
                short_name=ics_data.get("short_name", ""),
            )
            _ensure_bodies(ics)
    syb = Organisation.objects.get(code=data["syb"]["ics_code"])
    for place_data in data["syb"]["places"]:
        place = organisation_ensure(
            parent=syb, code=place_data["code"], name=place_data["name"], level=Level.PLACE
        )
        for provider in place_data["providers"]:
            organisation_ensure(
                parent=place,
                code=provider["code"],
                name=provider["name"],
                level=Level.PROVIDER,
                provider_type=provider["type"],
            )
    return {level: Organisation.objects.filter(level=level).count() for level in Level.values}
