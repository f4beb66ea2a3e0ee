"""Every page names its icon, and the icon is served (no 404 on each page)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_pages_link_the_icon_and_it_exists(client, officer):
    client.force_login(officer)

    html = client.get(reverse("home")).content.decode()

    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html).group(1)
    assert href.endswith("favicon.svg")
    path = finders.find("favicon.svg")
    assert path is not None
    with open(path, encoding="utf-8") as handle:
        assert handle.read().startswith("<svg xmlns=")


def test_the_login_page_links_the_icon_too(client):
    assert 'rel="icon"' in client.get(reverse("login")).content.decode()


def test_a_browser_asking_for_favicon_ico_is_sent_to_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
