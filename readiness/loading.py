"""Load the versioned templates in readiness/seed_data/*.json into the database.

Used by the data migration (with historical models) and by ``manage.py load_readiness_templates``.
A (code, version) already loaded is never touched: a change of wording is a new version in the
JSON, which creates new sections and questions and leaves the answers to older versions alone.
"""

import json
from pathlib import Path

SEED_DATA = Path(__file__).resolve().parent / "seed_data"

# file name -> template code
TEMPLATE_FILES = {
    "support_workforce_readiness.json": "support_workforce",
    "state_of_readiness.json": "state_of_readiness",
}


def read_seed(name: str, seed_dir: Path | None = None) -> dict:
    return json.loads(((seed_dir or SEED_DATA) / name).read_text(encoding="utf-8"))


def load_templates(Template, Section, Question, *, seed_dir: Path | None = None) -> list:
    """Create the templates not yet loaded; returns the (code, version) pairs created."""
    created = []
    for name, code in TEMPLATE_FILES.items():
        data = read_seed(name, seed_dir)
        if Template.objects.filter(code=code, version=data["version"]).exists():
            continue
        template = Template.objects.create(
            code=code,
            version=data["version"],
            title=data["title"],
            subtitle=data.get("subtitle", ""),
            source=data.get("source", ""),
            how_to_use=data.get("how_to_use", ""),
        )
        if code == "support_workforce":
            _load_toolkit(template, data, Section, Question)
        else:
            _load_state_of_readiness(template, data, Section, Question)
        created.append((code, data["version"]))
    return created


def _section(Section, template, data, **fields):
    """A section of ``template`` with the title, level and intro in ``data``, and ``fields``."""
    return Section.objects.create(
        template=template, title=data["title"], level=data["level"], intro=data["intro"], **fields
    )


def _load_toolkit(template, data, Section, Question):
    for s_pos, section_data in enumerate(data["sections"], start=1):
        section = _section(
            Section,
            template,
            section_data,
            code=section_data["code"],
            lead_guidance=section_data["lead_guidance"],
            answer_per="organisation",
            position=s_pos,
        )
        position = 0
        rows = []
        for group in section_data["groups"]:
            for q in group["questions"]:
                position += 1
                rows.append(
                    Question(
                        section=section,
                        group=group["title"],
                        number=q["number"],
                        text=q["text"],
                        next_steps_prompts=q["next_steps_prompts"],
                        kind="yes_no",
                        position=position,
                    )
                )
        Question.objects.bulk_create(rows)


def _load_state_of_readiness(template, data, Section, Question):
    section = _section(
        Section,
        template,
        data,
        code="state_of_readiness",
        lead_guidance=data.get("heading", ""),
        answer_per="profession",
        position=1,
    )
    Question.objects.bulk_create(
        Question(
            section=section,
            number=q["number"],
            code=q["code"],
            title=q["title"],
            text=q["text"],
            guidance=q["guidance"],
            kind="free_text",
            position=pos,
        )
        for pos, q in enumerate(data["questions"], start=1)
    )


def six_step_stages() -> list[tuple[str, str]]:
    return [
        (s["code"], s["name"])
        for s in read_seed("support_workforce_readiness.json")["six_step_approach"]
    ]
