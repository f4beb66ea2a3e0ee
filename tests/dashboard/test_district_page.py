"""The paying office's home: its "n tệp tháng này" link opens exactly the files it counts."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from beneficiaries.models import Programme, ProgrammeAccess
from tests.dashboard.test_downloads import make_file

pytestmark = pytest.mark.django_db

SENT = datetime.datetime(2023, 9, 2, 3, 0, tzinfo=datetime.UTC)


def _in_august(generated):
    generated.period = datetime.date(2023, 8, 1)
    generated.save(update_fields=["period"])
    return generated


@pytest.fixture
def month_files(reference_data, commune, other_commune, officer):
    return {
        "ncc_sent": make_file(commune, sent_at=SENT),
        "btxh_sent": make_file(commune, programme="BTXH", sent_at=SENT),
        "ncc_not_sent": make_file(commune),
        "august_sent": _in_august(make_file(commune, sent_at=SENT)),
        "other_commune_sent": make_file(other_commune, sent_at=SENT),
    }


def _link_and_count(client, commune) -> tuple[str, int]:
    html = client.get(reverse("home")).content.decode()
    row = next(
        r
        for r in re.findall(r'<tr data-testid="district-commune">.*?</tr>', html, re.S)
        if commune.name in r
    )
    link = re.search(r'<a href="([^"]+)" data-testid="sent-files-link">(\d+) tệp', row)
    return link.group(1).replace("&amp;", "&"), int(link.group(2))


def _listed(client, url) -> set[int]:
    return {f.pk for f in client.get(url).context["page"]}


def test_the_sent_files_link_lists_exactly_the_files_counted(
    client, district, commune, month_files, frozen
):
    client.force_login(district)

    url, count = _link_and_count(client, commune)

    assert url == f"{reverse('downloads')}?xa={commune.pk}&thang=2023-09&da_gui=1"
    listed = _listed(client, url)
    assert listed == {month_files["ncc_sent"].pk, month_files["btxh_sent"].pk}
    assert count == len(listed) == 2


def test_a_user_limited_to_a_programme_counts_and_lists_only_its_files(
    client, district, commune, month_files, frozen
):
    ProgrammeAccess.objects.create(user=district, programme=Programme.objects.get(code="NCC"))
    client.force_login(district)

    url, count = _link_and_count(client, commune)

    assert _listed(client, url) == {month_files["ncc_sent"].pk}
    assert count == 1


def test_the_downloads_page_keeps_the_sent_only_box_ticked(
    client, officer, commune, month_files, frozen
):
    client.force_login(officer)

    everything = _listed(client, reverse("downloads"))
    only_sent = client.get(reverse("downloads"), {"da_gui": "1"})

    assert month_files["ncc_not_sent"].pk in everything
    assert {f.pk for f in only_sent.context["page"]} == {
        month_files["ncc_sent"].pk,
        month_files["btxh_sent"].pk,
        month_files["august_sent"].pk,
    }
    assert 'name="da_gui" value="1" checked' in only_sent.content.decode()


def test_a_late_cycle_reads_once_on_the_district_row(
    client, district, dataset, officer, leader, frozen
):
    from django.utils import timezone

    from payments.models import PaymentCycle

    sep = dataset.cycles["sep"]
    PaymentCycle.objects.filter(pk=sep.pk).update(
        status=PaymentCycle.Status.SUBMITTED,
        approved_by=leader,
        submitted_by=officer,
        submitted_at=timezone.now(),
        submitted_late=True,
    )
    client.force_login(district)

    html = client.get(reverse("home")).content.decode()

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Đã gửi muộn" in text
    assert "gửi gửi" not in text


def test_the_dashboard_count_tables_align_their_headings_with_their_numbers(
    client, officer, dataset, frozen
):
    client.force_login(officer)

    html = client.get(reverse("home")).content.decode()

    for testid in ("account-requests", "verification"):
        table = re.search(rf'<table class="list" data-testid="{testid}">.*?</table>', html, re.S)
        heads = re.findall(r"<th( [^>]*)?>", table.group(0))
        cells = re.findall(r"<td( [^>]*)?>", table.group(0))
        assert len(heads) == len(cells)
        assert heads == cells == [' class="num"'] * len(cells)
