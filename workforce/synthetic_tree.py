"""The organisations the synthetic data is for (:mod:`workforce.synthetic`): SYB's real
providers, and the synthetic places and providers that fill the rest of England's tree."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

SEED_FILE = Path(__file__).resolve().parent.parent / "councils" / "seed_data" / "england.json"

# The kind of each SYB provider shapes its synthetic data; RCU (a children's hospital) gets a
# children's mix of professions, though its provider type (peer group) is acute; the community
# interest company gets a small community therapy mix (its peer group is community).
SYB_KINDS = {"RCU": "children", "CIC-BAR-01": "cic"}
# Kinds whose provider type (peer group) is another kind's.
KIND_TYPES = {"children": "acute", "cic": "community"}


@dataclass(frozen=True)
class ProviderPlan:
    """A provider the generator writes data for, and where it sits in the tree."""

    code: str
    name: str
    kind: str  # acute, community, mental_health, children, ambulance, local_authority, cic
    region_code: str
    place_code: str

    @property
    def provider_type(self) -> str:
        """The peer group (``councils.models.ProviderType``): a children's trust is acute, a
        community interest company community."""
        return KIND_TYPES.get(self.kind, self.kind)


@dataclass(frozen=True)
class PlacePlan:
    code: str
    name: str
    ics_code: str


def _tree_data(seed_file: Path = SEED_FILE) -> dict:
    return json.loads(seed_file.read_text())


def _syb_region(data: dict) -> str:
    for region in data["regions"]:
        if any(ics["code"] == data["syb"]["ics_code"] for ics in region["icss"]):
            return region["code"]
    raise ValueError("The SYB ICS is not in any region of the seed file")


def syb_providers(seed_file: Path = SEED_FILE) -> list[ProviderPlan]:
    """The SYB ICS's real providers, as ``manage.py load_tree`` creates them."""
    data = _tree_data(seed_file)
    region = _syb_region(data)
    return [
        ProviderPlan(
            code=provider["code"],
            name=provider["name"],
            kind=SYB_KINDS.get(provider["code"], provider["type"]),
            region_code=region,
            place_code=place["code"],
        )
        for place in data["syb"]["places"]
        for provider in place["providers"]
    ]


def england_plan(seed_file: Path = SEED_FILE) -> tuple[list[PlacePlan], list[ProviderPlan]]:
    """Synthetic places and providers for the 41 ICSs the real tree leaves empty, plus SYB's.

    Two places per ICS, two or three providers per place (an acute trust, a community trust and,
    in some places, a mental health trust), and one ambulance service, one local authority therapy
    service and one community interest company per region, hosted in the region's first synthetic
    place (so every provider type has peers in England). Deterministic: it depends on the seed
    file only.
    """
    data = _tree_data(seed_file)
    syb_code = data["syb"]["ics_code"]
    rng = random.Random("england-plan")
    places: list[PlacePlan] = []
    providers: list[ProviderPlan] = []
    names = {
        "acute": "Hospitals Trust",
        "community": "Community Trust",
        "mental_health": "Mental Health Trust",
    }
    for region in data["regions"]:
        ambulance_placed = False
        for ics in region["icss"]:
            if ics["code"] == syb_code:
                continue
            short = ics.get("short_name") or ics["name"]
            numbers = {"acute": 0, "community": 0, "mental_health": 0}
            for p in (1, 2):
                place = PlacePlan(
                    code=f"{ics['code']}-P{p}", name=f"{short} Place {p}", ics_code=ics["code"]
                )
                places.append(place)
                kinds = ["acute", "community"] + (["mental_health"] if rng.random() < 0.5 else [])
                for t, kind in enumerate(kinds, start=1):
                    numbers[kind] += 1
                    providers.append(
                        ProviderPlan(
                            code=f"{place.code}-T{t}",
                            name=f"{short} {names[kind]} {numbers[kind]}",
                            kind=kind,
                            region_code=region["code"],
                            place_code=place.code,
                        )
                    )
                if not ambulance_placed:
                    ambulance_placed = True
                    providers += [
                        ProviderPlan(
                            code=f"{place.code}-{suffix}",
                            name=name,
                            kind=kind,
                            region_code=region["code"],
                            place_code=place.code,
                        )
                        for suffix, kind, name in (
                            ("A1", "ambulance", f"{region['name']} Ambulance Service"),
                            ("L1", "local_authority", f"{short} Council Therapy Service"),
                            ("C1", "cic", f"{short} Community Therapies CIC"),
                        )
                    ]
    return places, syb_providers(seed_file) + providers


def ensure_england_providers(seed_file: Path = SEED_FILE) -> int:
    """Create (or keep) the synthetic places and providers in the database; returns providers.

    Loads the real tree first if it is not there (``councils.tree.load_england_tree`` is
    idempotent), so England, 7 regions and 42 ICSs exist; SYB keeps its real providers.
    """
    from django.db import transaction

    from councils.models import Level, Organisation
    from councils.tree import load_england_tree, organisation_ensure

    places, providers = england_plan(seed_file)
    with transaction.atomic():
        if not Organisation.objects.filter(code=_tree_data(seed_file)["syb"]["ics_code"]).exists():
            load_england_tree(seed_file)
        icss = {org.code: org for org in Organisation.objects.filter(level=Level.ICS)}
        place_orgs = {}
        for place in places:
            place_orgs[place.code] = organisation_ensure(
                parent=icss[place.ics_code], code=place.code, name=place.name, level=Level.PLACE
            )
        for provider in providers:
            if provider.place_code not in place_orgs:  # SYB: load_england_tree made its providers
                continue
            organisation_ensure(
                parent=place_orgs[provider.place_code],
                code=provider.code,
                name=provider.name,
                level=Level.PROVIDER,
                provider_type=provider.provider_type,
            )
    return Organisation.objects.filter(level=Level.PROVIDER).count()
