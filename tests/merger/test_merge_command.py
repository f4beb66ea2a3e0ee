"""``manage.py merge_communes`` and the other commands naming a merged commune."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from beneficiaries.models import Commune
from tests.merger.conftest import enrol

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_the_preview_and_writes_nothing(commune):
    enrol(commune)
    text = run(
        "merge_communes", "--into", "15271", "--name", "Hà Trung", "--from", "15307",
        "--on", "2025-07-01", "--dry-run",
    )  # fmt: skip
    assert "Sáp nhập vào xã Hà Trung (15271, tạo mới) từ 01/07/2025:" in text
    assert "- Yến Sơn (15307): 1 thôn, 1 người, 1 đối tượng hưởng" in text
    assert "Chạy thử: chưa ghi gì." in text
    assert not Commune.objects.filter(code="15271").exists()


def test_the_command_merges_then_other_commands_name_the_new_commune(commune, tmp_path):
    enrol(commune)
    text = run(
        "merge_communes", "--into", "15271", "--name", "Hà Trung", "--from", "15307",
        "--on", "2025-07-01",
    )  # fmt: skip
    assert "Đã sáp nhập 1 xã vào xã Hà Trung (15271) từ 01/07/2025." in text
    commune.refresh_from_db()
    assert commune.merged_into.code == "15271"
    wanted = "Xã Yến Sơn đã sáp nhập vào Xã Hà Trung từ 01/07/2025; dùng Xã Hà Trung."
    for command in (
        ["open_cycle", "--commune", "15307", "--period", "2025-07"],
        ["build_registration_lists", "--commune", "15307", "--month", "2025-08", "--out", str(tmp_path)],
        ["monthly_report", "--commune", "15307", "--period", "2025-07", "--out", str(tmp_path / "r.xlsx")],
        ["export_bank_file", "--commune", "15307", "--period", "2025-07", "--out", str(tmp_path)],
        # Today's registry: the old commune holds nobody any more.
        ["data_quality", "--commune", "15307"],
        ["export_verification_batch", "--commune", "15307", "--out", str(tmp_path / "x.xlsx")],
    ):  # fmt: skip
        with pytest.raises(CommandError) as caught:
            run(*command)
        assert str(caught.value) == f"{wanted} (--commune 15271)"
    # A month before the merger is still the old commune's.
    assert "Kỳ chi trả 06/2025 — xã Yến Sơn (15307): 1 người" in run(
        "open_cycle", "--commune", "15307", "--period", "2025-06"
    )


def test_a_refused_merger_prints_why_and_fails(commune):
    with pytest.raises(CommandError):
        run(
            "merge_communes", "--into", "15307", "--from", "15307", "--on", "2025-07-01",
        )  # fmt: skip
    with pytest.raises(CommandError, match="Ngày sáp nhập không hợp lệ"):
        run("merge_communes", "--into", "15271", "--from", "15307", "--on", "01/07/2025")


def test_the_command_sets_the_new_communes_document_settings(commune):
    enrol(commune)
    run(
        "merge_communes", "--into", "15271", "--name", "Hà Trung", "--from", "15307",
        "--on", "2025-07-01", "--preparer", "Lê Thị Hoa", "--accountant", "Mai Văn Đức",
        "--leader-title", "KT. CHỦ TỊCH\\nPHÓ CHỦ TỊCH", "--leader", "Nguyễn Văn Hùng",
    )  # fmt: skip
    new = Commune.objects.get(code="15271")
    assert (new.issuing_body, new.place_name) == ("ỦY BAN NHÂN DÂN XÃ HÀ TRUNG", "Hà Trung")
    assert (new.preparer_name, new.accountant_name, new.leader_name) == (
        "Lê Thị Hoa",
        "Mai Văn Đức",
        "Nguyễn Văn Hùng",
    )
    assert new.leader_title == "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
