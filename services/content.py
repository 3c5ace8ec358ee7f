"""Reads Julie's service text (services/content/*.txt) into a service and sections.

The format is hers: a title line, a description paragraph, then headings, each
followed by an optional introduction line and '- ' points.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.utils.text import slugify

CONTENT_DIR = Path(__file__).resolve().parent / "content"
CSMT_FILE = CONTENT_DIR / "craniosacral-therapy.txt"


@dataclass
class ParsedSection:
    heading: str
    intro: str = ""
    points: list[str] = field(default_factory=list)

    @property
    def slug(self):
        return slugify(self.heading.rstrip(":"))


@dataclass
class ParsedService:
    name: str
    description: str
    sections: list[ParsedSection]


def parse_service_text(text):
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        raise ValueError("A service text needs at least a title and a description.")
    name, description, *rest = lines
    sections = []
    for line in rest:
        if line.startswith("- "):
            if not sections:
                raise ValueError(f"A point comes before any heading: {line!r}")
            sections[-1].points.append(line[2:].strip())
        elif sections and not sections[-1].points and not sections[-1].intro:
            sections[-1].intro = line
        else:
            sections.append(ParsedSection(heading=line))
    return ParsedService(name=name, description=description, sections=sections)
