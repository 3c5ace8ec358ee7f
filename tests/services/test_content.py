"""Julie's own text is the source of the service page: nothing of it may go missing."""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags

from services.content import CSMT_FILE, parse_service_text
from services.models import Service
from tests.conftest import service_missing

SHARED_FILE = Path(settings.BASE_DIR).parent / "shared" / "content" / "craniosacral-therapy.txt"

EXPECTED_HEADINGS = [
    "What Craniosacral Massage Therapy does for Relieving Migraines",
    "How Craniosacral Massage Therapy works for Migraines",
    "Benefits for Migraine Relief",
    "What to Expect:",
]


def page_text(response):
    """The visible text of <main>, as a reader (or a copy-paste) gets it."""
    body = response.content.decode()
    main = body[body.index("<main") : body.index("</main>")]
    return " ".join(html.unescape(strip_tags(main)).split())


def sentences_of(text):
    """Every sentence of Julie's file, with list markers removed."""
    sentences = []
    for line in text.splitlines():
        line = line.strip().removeprefix("- ").strip()
        if line:
            sentences.extend(part for part in re.split(r"(?<=[.!?])\s+", line) if part)
    return sentences


def test_parser_reads_title_description_and_four_sections_in_order():
    parsed = parse_service_text(CSMT_FILE.read_text(encoding="utf-8"))

    assert parsed.name == "Craniosacral Massage Therapy for Migraines"
    assert parsed.description.startswith("Craniosacral Massage therapy (CSMT) shows potential")
    assert [section.heading for section in parsed.sections] == EXPECTED_HEADINGS
    assert [len(section.points) for section in parsed.sections] == [4, 3, 4, 3]
    assert parsed.sections[0].intro.endswith("The therapy is intended to:")
    assert [section.intro for section in parsed.sections[1:]] == ["", "", ""]


def test_parser_refuses_a_point_before_any_heading():
    with pytest.raises(ValueError, match="before any heading"):
        parse_service_text("Title\nDescription\n- A stray point")


def test_parser_needs_a_title_and_a_description():
    with pytest.raises(ValueError, match="title and a description"):
        parse_service_text("Only a title\n")


@pytest.mark.django_db
def test_data_migration_seeds_the_csmt_service_with_four_ordered_sections():
    service = Service.objects.get(slug="craniosacral-therapy")
    sections = list(service.sections.all())

    assert service.name == "Craniosacral Massage Therapy for Migraines"
    assert service.duration_minutes == 60
    assert service.is_active
    assert [section.heading for section in sections] == EXPECTED_HEADINGS
    assert [section.position for section in sections] == [1, 2, 3, 4]
    assert sections[-1].slug == "what-to-expect"
    assert sections[1].point_list()[0] == (
        "Gentle Manipulation",
        "CSMT uses a very light touch to manipulate the dura mater (membranes surrounding the brain "
        "and spinal cord) and the bones of the skull and spine.",
    )


def test_in_project_copy_is_identical_to_julies_shared_file():
    if not SHARED_FILE.exists():
        service_missing(f"{SHARED_FILE} is not there (only in the development workspace and CI)")
    assert CSMT_FILE.read_bytes() == SHARED_FILE.read_bytes()


@pytest.mark.django_db
@pytest.mark.parametrize("source", [SHARED_FILE, CSMT_FILE], ids=["shared-file", "in-project-copy"])
def test_every_sentence_of_julies_text_is_on_the_service_page(client, source):
    if not source.exists():
        service_missing(f"{source} is not there (only in the development workspace and CI)")
    text = source.read_text(encoding="utf-8")

    response = client.get(reverse("services:detail", kwargs={"slug": "craniosacral-therapy"}))
    shown = page_text(response)

    assert response.status_code == 200
    sentences = sentences_of(text)
    assert len(sentences) > 20
    missing = [sentence for sentence in sentences if sentence not in shown]
    assert missing == []
    # Whole lines too, so a term and its text stay together ("Reduced Pain: Most patients ...").
    lines = [line.strip().removeprefix("- ") for line in text.splitlines() if line.strip()]
    assert [line for line in lines if line not in shown] == []
