"""seed_demo: the demo commune Yến Sơn and its users, idempotent."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from simple_history.utils import get_history_model_for_model

from accounts.models import Bank, PaymentAccount
from amounts.models import Entitlement
from beneficiaries.models import Beneficiary, Commune, Person, Programme, Representative, Village
from core import roles
from demo.seed import DEMO_PASSWORD, DEMO_USERS, DEMO_VILLAGES, seed_demo
from registration.models import PaymentMethodRegistration
from tests.factories import BeneficiaryFactory

MODELS = (
    Commune, Village, Person, Beneficiary, Representative, PaymentAccount,
    PaymentMethodRegistration, Entitlement, User,
)  # fmt: skip


def _counts() -> dict[str, int]:
    counts = {m.__name__: m.objects.count() for m in MODELS}
    for model in MODELS[:-1]:
        counts[f"history {model.__name__}"] = get_history_model_for_model(model).objects.count()
    return counts


def test_seed_demo_creates_yen_son_with_its_villages_and_about_200_beneficiaries(reference_data):
    result = seed_demo()

    commune = Commune.objects.get(code="15307")
    assert result.generated and result.commune == commune
    assert commune.name == "Yến Sơn"
    assert commune.district_name == "Hà Trung" and commune.province_name == "Thanh Hóa"
    assert commune.issuing_body == "ỦY BAN NHÂN DÂN XÃ YẾN SƠN"
    assert commune.leader_name and commune.accountant_name and commune.preparer_name
    assert sorted(commune.villages.values_list("name", flat=True)) == sorted(DEMO_VILLAGES)
    enrolments = Beneficiary.objects.filter(commune=commune)
    assert enrolments.count() == 200
    assert set(enrolments.values_list("programme__code", flat=True)) == {"NCC", "BTXH"}
    assert Representative.objects.filter(represented__commune=commune).exists()
    assert PaymentAccount.objects.filter(holder__commune=commune).exists()
    assert Entitlement.objects.filter(beneficiary__commune=commune).exists()
    current = PaymentMethodRegistration.objects.filter(
        beneficiary__commune=commune, is_current=True
    )
    assert current.count() == 200


def test_seed_demo_twice_changes_nothing_and_duplicates_nothing(reference_data):
    seed_demo()
    before = _counts()
    hashes = dict(User.objects.values_list("username", "password"))

    second = seed_demo()

    assert not second.generated
    assert _counts() == before
    assert dict(User.objects.values_list("username", "password")) == hashes


def test_seed_demo_creates_one_user_per_role_in_the_commune(reference_data):
    seed_demo()
    commune = Commune.objects.get(code="15307")

    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        assert user.check_password(DEMO_PASSWORD)
        assert commune.members.filter(pk=user.pk).exists()
        if spec.role:
            assert list(user.groups.values_list("name", flat=True)) == [spec.role]
    assert {s.role for s in DEMO_USERS if s.role} == set(roles.ROLE_PERMISSIONS)
    staff = set(User.objects.filter(is_staff=True).values_list("username", flat=True))
    assert staff == {"admin", "canbo", "congan"}
    assert User.objects.get(username="admin").is_superuser


def test_seed_demo_restores_a_changed_demo_password(reference_data):
    seed_demo()
    user = User.objects.get(username="ketoan")
    user.set_password("something-else")
    user.save()

    seed_demo()

    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_seed_demo_loads_the_reference_data_when_it_is_missing():
    assert not Programme.objects.exists()

    seed_demo()

    assert Programme.objects.filter(code__in=["NCC", "BTXH"]).count() == 2
    assert Bank.objects.filter(short_name="Agribank").exists()
    assert Beneficiary.objects.count() == 200


def test_seed_demo_leaves_a_commune_that_already_has_data_alone(reference_data, commune):
    BeneficiaryFactory(person__commune=commune)

    result = seed_demo()

    assert not result.generated
    assert Beneficiary.objects.count() == 1
    assert commune.members.filter(username="canbo").exists()


def test_seed_demo_command_prints_the_log_ins(reference_data, capsys):
    call_command("seed_demo")
    call_command("seed_demo")

    out = capsys.readouterr().out
    assert "Đã tạo dữ liệu mẫu cho xã Yến Sơn (15307)" in out
    assert "đã có dữ liệu: giữ nguyên" in out
    for spec in DEMO_USERS:
        assert spec.username in out
    assert DEMO_PASSWORD in out
