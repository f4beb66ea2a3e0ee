"""Name rules: cleanup, folding, list order, and TCVN3 / VNI legacy text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.rules.names import (
    TCVN3_LOWER,
    TCVN3_TABLE,
    VNI_TABLE,
    ZERO_WIDTH,
    convert_legacy,
    detect_legacy_encoding,
    fold_name,
    given_name,
    names_match,
    normalize_name,
    sort_key,
)

LOWER_VIETNAMESE = "àảãáạăằẳẵắặâầẩẫấậđèẻẽéẹêềểễếệìỉĩíịòỏõóọôồổỗốộơờởỡớợùủũúụưừửữứựỳỷỹýỵ"
VIETNAMESE = LOWER_VIETNAMESE + LOWER_VIETNAMESE.upper()
ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

#: Combining marks of the five tones, in the TCVN3 chart's column order.
TONE_MARKS = {
    "grave": "\u0300",
    "hook": "\u0309",
    "tilde": "\u0303",
    "acute": "\u0301",
    "dot": "\u0323",
}


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


# --- normalize_name ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Nguyễn Thị Hằng", "Nguyễn Thị Hằng"),
        ("  Nguyễn   Thị  Hằng ", "Nguyễn Thị Hằng"),
        ("Nguyễn\u00a0Thị\u00a0Hằng", "Nguyễn Thị Hằng"),
        ("Nguyễn\tThị\nHằng\r\n", "Nguyễn Thị Hằng"),
        ("Nguy\u200bễn Thị\u200c Hằng\u200d", "Nguyễn Thị Hằng"),
        ("\ufeffNguyễn Thị Hằng\u2060", "Nguyễn Thị Hằng"),
        ("Nguyễn\u202fThị\u3000Hằng", "Nguyễn Thị Hằng"),
        ("NGUYỄN thị hằng", "NGUYỄN thị hằng"),
        ("Hoà", "Hoà"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize_name_cleans_whitespace_and_keeps_case(raw, expected):
    assert normalize_name(raw) == expected


def test_normalize_name_stores_decomposed_input_as_nfc():
    decomposed = nfd("Nguyễn Thị Hằng")
    assert decomposed != "Nguyễn Thị Hằng"
    result = normalize_name(decomposed)
    assert result == "Nguyễn Thị Hằng"
    assert unicodedata.is_normalized("NFC", result)


@given(st.text())
def test_normalize_name_is_idempotent_and_tidy(text):
    once = normalize_name(text)
    assert normalize_name(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert not any(c in once for c in ZERO_WIDTH)


# --- fold_name ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Nguyễn Thị Hằng", "NGUYEN THI HANG"),
        ("NGUYỄN THỊ HẰNG", "NGUYEN THI HANG"),
        ("nguyen thi hang", "NGUYEN THI HANG"),
        ("Đặng Văn Đức", "DANG VAN DUC"),
        ("đỗ đình đạt", "DO DINH DAT"),
        ("Lê Thị Ánh Tuyết", "LE THI ANH TUYET"),
        ("Trương Ngọc Ước", "TRUONG NGOC UOC"),
        ("Phạm Thị Hoà", "PHAM THI HOA"),
        ("Phạm Thị Hòa", "PHAM THI HOA"),
        ("Thuỷ", "THUY"),
        ("Thủy", "THUY"),
        ("  Lê \u00a0Văn\u200b  A ", "LE VAN A"),
        ("\ufeffLê\u2060 Văn A", "LE VAN A"),
        ("", ""),
    ],
)
def test_fold_name_removes_diacritics_and_case(name, folded):
    assert fold_name(name) == folded


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hoà", "Hòa"),
        ("Thuỷ", "Thủy"),
        ("Khoẻ", "Khỏe"),
        ("Nguyễn Thị Hằng", nfd("Nguyễn Thị Hằng")),
        ("Nguyễn Thị Hằng", "NGUYEN THI HANG"),
    ],
)
def test_old_and_new_tone_placement_and_decomposed_text_fold_equal(a, b):
    assert a != b
    assert fold_name(a) == fold_name(b)


@given(st.text())
def test_fold_name_is_idempotent(text):
    once = fold_name(text)
    assert fold_name(once) == once


@given(st.text())
def test_fold_name_leaves_no_marks_and_no_stray_spaces(text):
    folded = fold_name(text)
    assert not any(unicodedata.category(c) == "Mn" for c in nfd(folded))
    assert folded == folded.strip()
    assert "  " not in folded
    assert not any(c in folded for c in ZERO_WIDTH)


@given(st.text(alphabet=VIETNAMESE + ASCII_LETTERS + " \u00a0\u200b"))
def test_folded_vietnamese_text_is_plain_upper_case_ascii(text):
    folded = fold_name(text)
    assert folded.isascii()
    assert folded == folded.upper()


# --- given_name, sort_key, names_match ----------------------------------------------


@pytest.mark.parametrize(
    ("full", "given"),
    [
        ("Nguyễn Thị Hằng", "Hằng"),
        ("  Lê  Văn   An ", "An"),
        ("Hằng", "Hằng"),
        ("", ""),
    ],
)
def test_given_name_is_the_last_word(full, given):
    assert given_name(full) == given


def test_lists_sort_by_given_name_then_full_name():
    names = [
        "Trần Văn Bình",
        "Nguyễn Văn An",
        "Lê Thị Ánh",
        "Phạm Văn Anh",
        "Đỗ Thị Anh",
        "Nguyễn Thị Hằng",
        "Bùi Văn An",
    ]
    assert sorted(names, key=sort_key) == [
        "Bùi Văn An",
        "Nguyễn Văn An",
        "Đỗ Thị Anh",  # ANH: DO THI ANH < LE THI ANH < PHAM VAN ANH
        "Lê Thị Ánh",
        "Phạm Văn Anh",
        "Trần Văn Bình",
        "Nguyễn Thị Hằng",
    ]


def test_sort_key_ignores_case_and_spacing():
    assert sort_key("NGUYỄN VĂN AN")[:2] == sort_key("  nguyễn  văn an ")[:2]


def test_sort_key_breaks_ties_by_the_original_so_the_order_is_total():
    first, second = sorted(["Lê Thị Hòa", "Lê Thị Hoà"], key=sort_key)
    assert sort_key(first) < sort_key(second)
    assert sorted(["Lê Thị Hoà", "Lê Thị Hòa"], key=sort_key) == [first, second]


@given(st.lists(st.text(alphabet=VIETNAMESE + ASCII_LETTERS + " ", max_size=20)))
def test_sorting_by_sort_key_orders_by_folded_given_name(names):
    ordered = sorted(names, key=sort_key)
    given = [fold_name(given_name(name)) for name in ordered]
    assert given == sorted(given)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("NGUYEN THI HANG", "Nguyễn Thị Hằng"),
        ("Hoà", "Hòa"),
        ("  le van  a", "LÊ VĂN A"),
        ("Đặng Thị Thuỷ", "DANG THI THUY"),
    ],
)
def test_names_that_fold_equal_match(a, b):
    assert names_match(a, b)
    assert names_match(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Nguyễn Thị Hằng", "Nguyễn Thị Hạnh"),
        ("Lê Văn A", "Lê Văn B"),
        ("Lê Văn An", "Lê An"),
        ("", ""),
        ("", "Lê Văn A"),
        ("   ", "\u200b"),
    ],
)
def test_different_or_empty_names_do_not_match(a, b):
    assert not names_match(a, b)


# --- the legacy tables ------------------------------------------------------------


def test_tcvn3_table_has_every_lower_case_letter_and_the_seven_capitals():
    assert sorted(TCVN3_LOWER.values()) == sorted(LOWER_VIETNAMESE)
    capitals = {v for k, v in TCVN3_TABLE.items() if k not in TCVN3_LOWER}
    assert capitals == set("ĂÂÊÔƠƯĐ")
    assert len(set(TCVN3_TABLE.values())) == len(TCVN3_TABLE)


@pytest.mark.parametrize(
    ("codes", "base", "column_marks"),
    [
        ((0xB5, 0xB6, 0xB7, 0xB8, 0xB9), "a", ""),
        ((0xBB, 0xBC, 0xBD, 0xBE, 0xC6), "a", "\u0306"),
        ((0xC7, 0xC8, 0xC9, 0xCA, 0xCB), "a", "\u0302"),
        ((0xCC, 0xCE, 0xCF, 0xD0, 0xD1), "e", ""),
        ((0xD2, 0xD3, 0xD4, 0xD5, 0xD6), "e", "\u0302"),
        ((0xD7, 0xD8, 0xDC, 0xDD, 0xDE), "i", ""),
        ((0xDF, 0xE1, 0xE2, 0xE3, 0xE4), "o", ""),
        ((0xE5, 0xE6, 0xE7, 0xE8, 0xE9), "o", "\u0302"),
        ((0xEA, 0xEB, 0xEC, 0xED, 0xEE), "o", "\u031b"),
        ((0xEF, 0xF1, 0xF2, 0xF3, 0xF4), "u", ""),
        ((0xF5, 0xF6, 0xF7, 0xF8, 0xF9), "u", "\u031b"),
        ((0xFA, 0xFB, 0xFC, 0xFD, 0xFE), "y", ""),
    ],
)
def test_tcvn3_code_chart_rows_follow_grave_hook_tilde_acute_dot(codes, base, column_marks):
    for code, tone in zip(codes, TONE_MARKS.values(), strict=True):
        letter = TCVN3_TABLE[chr(code)]
        decomposed = nfd(letter)
        assert decomposed[0] == base
        assert sorted(decomposed[1:]) == sorted(column_marks + tone)


@pytest.mark.parametrize(
    ("code", "letter"),
    [
        (0xA1, "Ă"),
        (0xA2, "Â"),
        (0xA3, "Ê"),
        (0xA4, "Ô"),
        (0xA5, "Ơ"),
        (0xA6, "Ư"),
        (0xA7, "Đ"),
        (0xA8, "ă"),
        (0xA9, "â"),
        (0xAA, "ê"),
        (0xAB, "ô"),
        (0xAC, "ơ"),
        (0xAD, "ư"),
        (0xAE, "đ"),
    ],
)
def test_tcvn3_plain_letters_sit_at_a1_to_ae(code, letter):
    assert TCVN3_TABLE[chr(code)] == letter


VNI_MARKS = {
    "ù": "\u0301",
    "ø": "\u0300",
    "û": "\u0309",
    "õ": "\u0303",
    "ï": "\u0323",
    "â": "\u0302",
    "á": "\u0302\u0301",
    "à": "\u0302\u0300",
    "å": "\u0302\u0309",
    "ã": "\u0302\u0303",
    "ä": "\u0302\u0323",
    "ê": "\u0306",
    "é": "\u0306\u0301",
    "è": "\u0306\u0300",
    "ú": "\u0306\u0309",
    "ü": "\u0306\u0303",
    "ë": "\u0306\u0323",
}
VNI_BASES = {"a": "a", "e": "e", "o": "o", "u": "u", "y": "y", "ô": "o\u031b", "ö": "u\u031b"}


@pytest.mark.parametrize(
    ("sequence", "letter"),
    sorted((k, v) for k, v in VNI_TABLE.items() if len(k) == 2 and k.islower()),
)
def test_each_vni_pair_is_its_base_letter_plus_the_diacritics_it_stands_for(sequence, letter):
    base, mark = sequence
    expected = unicodedata.normalize("NFC", VNI_BASES[base] + VNI_MARKS[mark])
    assert letter == expected


@pytest.mark.parametrize(
    ("char", "letter"),
    [
        ("í", "í"),
        ("ì", "ì"),
        ("æ", "ỉ"),
        ("ó", "ĩ"),
        ("ò", "ị"),
        ("î", "ỵ"),
        ("ô", "ơ"),
        ("ö", "ư"),
        ("ñ", "đ"),
        ("Í", "Í"),
        ("Ì", "Ì"),
        ("Æ", "Ỉ"),
        ("Ó", "Ĩ"),
        ("Ò", "Ị"),
        ("Î", "Ỵ"),
        ("Ô", "Ơ"),
        ("Ö", "Ư"),
        ("Ñ", "Đ"),
    ],
)
def test_vni_single_characters(char, letter):
    assert VNI_TABLE[char] == letter


def test_vni_table_covers_every_vietnamese_letter_in_both_cases():
    assert set(VNI_TABLE.values()) == set(VIETNAMESE)


def test_vni_capitals_accept_a_lower_case_diacritic_but_not_the_reverse():
    assert VNI_TABLE["AØ"] == "À"
    assert VNI_TABLE["Aø"] == "À"
    assert "aØ" not in VNI_TABLE


# --- detect_legacy_encoding ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Ninh B×nh",
        "NguyÔn ThÞ H»ng",
        "NGUYÔN THÞ H»NG",
        "Lª V¨n Hïng",
        "TrÇn ThÞ Thu Hµ",
        "§Æng V¨n L©m",
        "Hoµng V¨n Th¸i",
        "Ng\u00adêi nhËn thay",
        "Th«n Yªn Ninh",
        "X· Hµ Trung",
        "Lª ThÞ ¸nh",
    ],
)
def test_tcvn3_text_is_detected(text):
    assert detect_legacy_encoding(text) == "TCVN3"


@pytest.mark.parametrize(
    "text",
    [
        "Xin chaøo",
        "Nguyeãn Thò Haèng",
        "NGUYEÃN THÒ HAÈNG",
        "Leâ Vaên Huøng",
        "Traàn Thò Thu Haø",
        "Ñaëng Vaên Laâm",
        "Hoaøng Vaên Thaùi",
        "Ngöôøi nhaän thay",
        "Ñoã Thò Myõ",
        "Aùnh",
    ],
)
def test_vni_text_is_detected(text):
    assert detect_legacy_encoding(text) == "VNI"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Nguyen Van An",
        "Nguyễn Thị Hằng",
        "NGUYỄN THỊ HẰNG",
        "Hoà",
        "Phạm Thị Hoá",
        "HOÀ",
        "hoãn",
        "Thôn Yên Ninh, xã Hà Trung",
        "Số tiền: 2×3 = 6",
        "§ 5",
        "ñ",  # đ in VNI, ủ in TCVN3: a tie, refused rather than guessed
        nfd("Nguyễn Thị Hằng"),
    ],
)
def test_unicode_ascii_and_undecidable_text_is_not_flagged(text):
    assert detect_legacy_encoding(text) is None


@given(st.text(alphabet=VIETNAMESE + ASCII_LETTERS + " .,-0123456789"))
def test_unicode_vietnamese_letters_are_never_taken_for_tcvn3(text):
    assert detect_legacy_encoding(text) != "TCVN3"


# Real name words, old and new tone placement included.
NAME_WORDS = """
    Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Trịnh Đinh
    Lương Mai Thị Văn Hữu Đức Ngọc Thu Xuân Quốc Minh Thanh Hằng Hạnh Hoà Hòa Hoá Hóa
    Thuỷ Thủy Khoẻ Khỏe Tuyết Ánh Ước Quỳnh Nguyệt Hoàn Toản Ưng Yến Oanh Loan Tuấn
    Khoa Hoan Thoả Huệ Quý Quỳ Khuê Duyên Nhung Phượng Cường Thắng Dũng Hiếu Nghĩa Ngoãn
""".split()


@given(st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=5))
def test_real_unicode_names_are_not_flagged(words):
    name = " ".join(words)
    assert detect_legacy_encoding(name) is None
    assert detect_legacy_encoding(name.upper()) is None


# --- convert_legacy ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("Ninh B×nh", "Ninh Bình"),
        ("NguyÔn ThÞ H»ng", "Nguyễn Thị Hằng"),
        ("Lª V¨n Hïng", "Lê Văn Hùng"),
        ("TrÇn ThÞ Thu Hµ", "Trần Thị Thu Hà"),
        ("§Æng V¨n L©m", "Đặng Văn Lâm"),
        ("Hoµng V¨n Th¸i", "Hoàng Văn Thái"),
        ("Ng\u00adêi nhËn thay", "Người nhận thay"),
        ("Th«n Yªn Ninh", "Thôn Yên Ninh"),
        ("X· Hµ Trung", "Xã Hà Trung"),
        ("Ph¹m ThÞ Thuû", "Phạm Thị Thuỷ"),
        ("Lª Thóy Quúnh", "Lê Thúy Quỳnh"),
        ("¢u V¨n ¦íc", "Âu Văn Ước"),
        ("Xin chµo", "Xin chào"),
        ("Bïi ThÞ Ngäc DiÖp", "Bùi Thị Ngọc Diệp"),
        ("TrÞnh V¨n Tø", "Trịnh Văn Tứ"),
    ],
)
def test_tcvn3_names_convert_to_unicode(legacy, unicode):
    assert convert_legacy(legacy, "TCVN3") == unicode


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("NGUYÔN THÞ H»NG", "NGUYỄN THỊ HẰNG"),  # .VnTimeH: whole words in capitals
        ("DANH S¸CH §èI T¦îNG", "DANH SÁCH ĐỐI TƯỢNG"),
        ("TH¤N Hµ", "THÔN HÀ"),  # one known capital, but the whole text is capitals
        ("Lª ThÞ ¸nh", "Lê Thị Ánh"),  # title case: a word-initial toned vowel is a capital
        ("¸nh", "ánh"),  # alone, nothing says it was a capital
        ("Lª Hµ", "Lê Hà"),  # one capital per word is title case, not capitals
        ("xin chµo ¸nh", "xin chào ánh"),
        ("UBND x· Hµ Trung", "UBND xã Hà Trung"),
    ],
)
def test_tcvn3_capitals_typed_in_the_h_font_are_inferred_from_context(legacy, unicode):
    assert convert_legacy(legacy, "TCVN3") == unicode


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("Xin chaøo", "Xin chào"),
        ("Nguyeãn Thò Haèng", "Nguyễn Thị Hằng"),
        ("NGUYEÃN THÒ HAÈNG", "NGUYỄN THỊ HẰNG"),
        ("Leâ Vaên Huøng", "Lê Văn Hùng"),
        ("Traàn Thò Thu Haø", "Trần Thị Thu Hà"),
        ("Ñaëng Vaên Laâm", "Đặng Văn Lâm"),
        ("Hoaøng Vaên Thaùi", "Hoàng Văn Thái"),
        ("Ngöôøi nhaän thay", "Người nhận thay"),
        ("Ñoã Thò Myõ", "Đỗ Thị Mỹ"),
        ("Phaïm Thò Thuyû", "Phạm Thị Thuỷ"),
        ("Leâ Thuùy Quyønh", "Lê Thúy Quỳnh"),
        ("AÂu Vaên Öôùc", "Âu Văn Ước"),
        ("ÑAËNG VAÊN LAÂM", "ĐẶNG VĂN LÂM"),
        ("Aùnh", "Ánh"),
        ("Trònh Vaên Töù", "Trịnh Văn Tứ"),
        ("Thoân Yeân Ninh, xaõ Haø Trung", "Thôn Yên Ninh, xã Hà Trung"),
        ("Kyõ sö", "Kỹ sư"),
    ],
)
def test_vni_names_convert_to_unicode(legacy, unicode):
    assert convert_legacy(legacy, "VNI") == unicode


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "Vni"])
def test_encoding_names_are_case_insensitive(encoding):
    assert convert_legacy("Nguyen", encoding) == "Nguyen"


@pytest.mark.parametrize("encoding", ["VISCII", "", "UTF-8"])
def test_an_unknown_encoding_is_a_programming_error(encoding):
    with pytest.raises(ValueError, match="Unknown legacy encoding"):
        convert_legacy("Ninh B×nh", encoding)


@pytest.mark.parametrize("encoding", ["TCVN3", "VNI"])
def test_conversion_output_is_nfc(encoding):
    result = convert_legacy("NguyÔn ThÞ H»ng Nguyeãn", encoding)
    assert unicodedata.is_normalized("NFC", result)


def test_detection_then_conversion_fixes_a_mixed_column():
    column = ["NguyÔn ThÞ H»ng", "Nguyeãn Vaên An", "Lê Văn Bình"]
    fixed = [
        convert_legacy(cell, encoding) if (encoding := detect_legacy_encoding(cell)) else cell
        for cell in column
    ]
    assert fixed == ["Nguyễn Thị Hằng", "Nguyễn Văn An", "Lê Văn Bình"]


_TO_TCVN3 = {letter: code for code, letter in TCVN3_LOWER.items()}
_TO_VNI = {}
for _sequence, _letter in VNI_TABLE.items():
    # Prefer the form VNI software writes: all capitals for capital letters.
    if _letter not in _TO_VNI or _sequence.isupper():
        _TO_VNI[_letter] = _sequence


@given(st.text(alphabet=LOWER_VIETNAMESE + ASCII_LETTERS.lower() + " ,.0123456789"))
def test_lower_case_text_survives_a_tcvn3_round_trip(text):
    encoded = "".join(_TO_TCVN3.get(c, c) for c in text)
    assert convert_legacy(encoded, "TCVN3") == text


@given(st.text(alphabet=VIETNAMESE + ASCII_LETTERS + " ,.0123456789"))
def test_any_text_survives_a_vni_round_trip(text):
    encoded = "".join(_TO_VNI.get(c, c) for c in text)
    assert convert_legacy(encoded, "VNI") == text
