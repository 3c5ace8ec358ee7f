import gzip
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_public_pages_are_sent_gzipped_to_a_browser_that_asks(client):
    plain = client.get(reverse("services:home"))
    zipped = client.get(reverse("services:home"), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert len(zipped.content) < len(plain.content) / 2
    assert gzip.decompress(zipped.content) == plain.content


def test_each_gzipped_page_carries_random_padding_against_breach(client):
    # Django's mitigation ("Heal the Breach"): a random-length file name in the gzip header,
    # so the size of a response no longer tells an attacker how well a guess compressed.
    lengths = {len(client.get(reverse("services:policies"), HTTP_ACCEPT_ENCODING="gzip").content) for _ in range(12)}
    assert len(lengths) > 1
    header = client.get(reverse("services:policies"), HTTP_ACCEPT_ENCODING="gzip").content[:4]
    assert header[3] & gzip.FNAME


def test_a_form_page_masks_its_csrf_token_anew_in_every_response(client):
    url = reverse("theme")
    tokens = {
        re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', gzip.decompress(response.content)).group(1)
        for response in (client.get(url, HTTP_ACCEPT_ENCODING="gzip") for _ in range(3))
    }
    assert len(tokens) == 3
