"""The admin's filter counts are written like every other count: 1.234."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.templatetags.vn import facet_count
from tests.factories import PersonFactory


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("Chưa kiểm tra (5422)", "Chưa kiểm tra (5.422)"),
        ("Thôn Đông (1234567)", "Thôn Đông (1.234.567)"),
        ("Khớp (12)", "Khớp (12)"),
        ("Năm (1945) ", "Năm (1945) "),  # a number inside a name, not a count at the end
        ("Tất cả", "Tất cả"),
    ],
)
def test_a_filter_count_gets_its_thousands_separator(label, shown):
    assert facet_count(label) == shown


@pytest.mark.django_db
def test_the_police_s_filters_show_their_counts_through_it(client, police, commune):
    police.is_staff = True
    police.save()
    PersonFactory(commune=commune)
    client.force_login(police)

    response = client.get(reverse("admin:beneficiaries_person_changelist"), {"_facets": "True"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Chưa kiểm tra (1)" in html
    assert "Theo tình trạng xác thực" in html and "Bởi " not in html
    ours = [
        t.origin.name
        for t in response.templates
        if t.origin and str(t.origin.name).endswith("admin/filter.html")
    ]
    assert ours and all("site-packages" not in str(name) for name in ours)
