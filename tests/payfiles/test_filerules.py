"""The pure rules of the payment files: references, transfer content, months."""

from __future__ import annotations

import datetime

import pytest

from payments.filerules import (
    months_label,
    parse_reference,
    payment_reference,
    transfer_content,
)

D = datetime.date


def test_a_reference_is_asxh_and_the_id_on_eight_digits_and_reads_back():
    assert payment_reference(1234) == "ASXH00001234"
    assert payment_reference(123_456_789) == "ASXH123456789"
    assert parse_reference("ASXH00001234") == 1234
    assert parse_reference(" asxh00001234 ") == 1234


@pytest.mark.parametrize("text", ["", "1234", "ASXH1234", "ASXH0000123X", "CT00001234"])
def test_anything_else_is_not_a_reference(text):
    assert parse_reference(text) is None


def test_the_transfer_content_is_ascii_and_short():
    text = transfer_content(D(2023, 9, 1), 1234)
    assert text == "TRO CAP T09/2023 ASXH00001234"
    assert text.isascii() and len(text) <= 50
    assert len(transfer_content(D(2023, 9, 1), 999_999_999_999)) <= 50


def test_months_are_read_as_runs_and_top_ups_apart():
    assert months_label([(D(2023, 9, 1), "regular")]) == "09/2023"
    assert months_label([(D(2023, m, 1), "regular") for m in (7, 8, 9)]) == "07/2023-09/2023"
    assert (
        months_label(
            [(D(2023, 12, 1), "regular"), (D(2024, 1, 1), "regular"), (D(2024, 3, 1), "regular")]
        )
        == "12/2023-01/2024, 03/2024"
    )
    assert (
        months_label([(D(2023, 9, 1), "regular"), (D(2023, 7, 1), "top_up")])
        == "09/2023; chênh lệch 07/2023"
    )
