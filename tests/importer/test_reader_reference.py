"""The reference lookups the reader uses, and that the database gives the same ones."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desk.importer.service import reference_from_database
from desk.importer.values import bank_keys
from documents.spreadsheet import fold_key
from tests.importer.conftest import reference_from_csv


@pytest.mark.django_db
def test_reference_from_database_equals_the_csv_reference(reference_data):
    assert reference_from_database() == reference_from_csv()


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("NCC", "NCC"),
        ("Người có công", "NCC"),
        ("BTXH", "BTXH"),
        ("Bảo trợ xã hội", "BTXH"),
        ("bao tro xa hoi", "BTXH"),
        ("HTXH", "HTXH"),
        ("Hưu trí xã hội", "HTXH"),
        ("Trợ cấp hưu trí xã hội", "HTXH"),
    ],
)
def test_programmes_are_known_by_code_name_short_name_and_synonym(reference, word, code):
    assert reference.programmes[fold_key(word)] == code


def test_categories_carry_their_programme_and_coefficient(reference):
    assert reference.categories[fold_key("Thương binh")] == (("NCC_G", "NCC"),)
    assert reference.category_coefficients["BTXH_K6_N"] == Decimal("1.5")
    assert "NCC_G" not in reference.category_coefficients
    assert reference.coefficient_programmes == frozenset({"BTXH", "HTXH"})


def test_e_wallets_are_marked_as_such(reference):
    assert reference.banks[fold_key("ViettelMoney")] == ("971005", True)
    assert reference.banks[fold_key("Agribank")] == ("970405", False)


def test_a_name_shared_by_two_banks_is_ambiguous_not_guessed(reference):
    assert fold_key("KEB Hana") in reference.ambiguous_banks
    assert fold_key("KEB Hana") not in reference.banks


def test_bank_keys_drop_prefix_branch_legal_form_and_country():
    assert bank_keys("Ngân hàng TMCP Công thương Việt Nam - CN Hà Trung") == [
        "NGANHANGTMCPCONGTHUONGVIETNAMCNHATRUNG",
        "TMCPCONGTHUONGVIETNAMCNHATRUNG",
        "CONGTHUONGVIETNAMCNHATRUNG",
        "NGANHANGTMCPCONGTHUONGVIETNAM",
        "TMCPCONGTHUONGVIETNAM",
        "CONGTHUONGVIETNAM",
        "CONGTHUONG",
    ]


def test_the_reference_is_immutable():
    reference = reference_from_csv()
    with pytest.raises(AttributeError):
        reference.banks = {}  # type: ignore[misc]
