"""People who use the application are shown by their full name in Vietnamese
order (family name first), never by their log-in, wherever a page names them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from core.templatetags.vn import full_name


def test_a_users_name_is_written_family_name_first():
    user = User(username="canbo", first_name="Hoa", last_name="Lê Thị")
    assert full_name(user) == "Lê Thị Hoa"
    assert full_name(User(username="canbo")) == "canbo"
    assert full_name(User(username="x", first_name=" Hoa ")) == "Hoa"
    assert full_name(None) == ""


@pytest.mark.django_db
def test_the_header_names_the_user_in_vietnamese_order(client, officer):
    officer.first_name, officer.last_name = "Hoa", "Lê Thị"
    officer.save()
    client.force_login(officer)

    html = client.get(reverse("home")).content.decode()

    assert 'data-testid="current-user">Lê Thị Hoa<' in html
    assert "Hoa Lê Thị" not in html


def test_a_hidden_badge_is_not_shown_by_its_class():
    # .badge sets a display; the hidden deadline badge (an empty link) must stay hidden.
    from pathlib import Path

    css = (Path(__file__).resolve().parent.parent / "static/css/app.css").read_text()
    assert "[hidden] { display: none !important; }" in css
