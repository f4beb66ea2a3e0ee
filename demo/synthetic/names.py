"""Vietnamese names and village names, weighted as in the north-central provinces.

Older and younger people draw from different lists (the middle name "Văn" or
"Thị" is near universal before 1975), and a share keep the old tone placement
("Hoà") that the registry must match folded.
"""

from __future__ import annotations

import random
from itertools import accumulate

_W = tuple[tuple[str, float], ...]

# Family names, weighted roughly as in the north-central provinces (Trịnh and
# Lê are common in Thanh Hóa; Huỳnh and Võ are southern and left out).
FAMILY_NAMES: _W = (
    ("Nguyễn", 34), ("Lê", 11), ("Trần", 10), ("Phạm", 7), ("Hoàng", 4.5),
    ("Vũ", 3.5), ("Trịnh", 3.5), ("Đỗ", 3), ("Bùi", 3), ("Đặng", 2.5),
    ("Ngô", 2), ("Mai", 2), ("Phan", 2), ("Hà", 1.2), ("Đinh", 1.2),
    ("Dương", 1), ("Lương", 0.8), ("Cao", 0.8), ("Đào", 0.8), ("Hồ", 0.7),
    ("Tạ", 0.4), ("Lại", 0.4), ("Lưu", 0.4), ("Tống", 0.3), ("Quách", 0.3),
    ("Thiều", 0.2), ("Chu", 0.3),
)  # fmt: skip
_MIDDLE_MALE_OLD: _W = (
    ("Văn", 70), ("Đình", 8), ("Xuân", 5), ("Hữu", 5), ("Đức", 4), ("Bá", 3),
    ("Công", 3), ("Ngọc", 2), ("Quang", 2), ("Trọng", 2), ("Thế", 2), ("Sỹ", 1),
)  # fmt: skip
_MIDDLE_MALE_YOUNG: _W = (
    ("Văn", 30), ("Minh", 10), ("Đức", 8), ("Quang", 7), ("Đình", 6), ("Xuân", 5),
    ("Hữu", 5), ("Công", 5), ("Thành", 5), ("Duy", 5), ("Ngọc", 4), ("Tiến", 4),
    ("Mạnh", 4), ("Gia", 4), ("Trung", 3), ("Hoàng", 3), ("Bảo", 3),
)  # fmt: skip
_MIDDLE_FEMALE_OLD: _W = (
    ("Thị", 88), ("Ngọc", 3), ("Thu", 2), ("Hồng", 2), ("Kim", 2), ("Thanh", 2), ("Bích", 1),
)  # fmt: skip
_MIDDLE_FEMALE_YOUNG: _W = (
    ("Thị", 40), ("Ngọc", 8), ("Thu", 6), ("Thanh", 6), ("Minh", 5), ("Hồng", 5),
    ("Phương", 5), ("Thùy", 5), ("Khánh", 4), ("Bảo", 4), ("Hà", 3), ("Mai", 3),
    ("Diệu", 2), ("Kim", 2),
)  # fmt: skip
_GIVEN_MALE_OLD = (
    "Hùng", "Dũng", "Thắng", "Lợi", "Sơn", "Hải", "Bình", "Hòa", "Thành", "Công",
    "Chiến", "Tý", "Sửu", "Dần", "Thìn", "Ngọ", "Thân", "Dậu", "Tuất", "Hợi",
    "Lâm", "Tâm", "Toàn", "Vinh", "Quý", "Phúc", "Lộc", "Thọ", "Khang", "Nghĩa",
    "Trung", "Hiếu", "Xuân", "Đông", "Minh", "Đức", "Tiến", "Cường", "Kiên",
    "Luận", "Lực", "Sáu", "Bảy", "Tám", "Chín", "Mười", "Thủy",
)  # fmt: skip
_GIVEN_MALE_YOUNG = (
    "Hùng", "Dũng", "Tuấn", "Minh", "Hải", "Nam", "Sơn", "Thắng", "Long", "Cường",
    "Hưng", "Phong", "Tùng", "Trung", "Quang", "Huy", "Hiếu", "Đạt", "Khánh", "Duy",
    "Hoàng", "Quân", "Việt", "Anh", "Khôi", "Phúc", "Bảo", "An", "Khang", "Kiên",
    "Lâm", "Thành", "Vinh", "Tiến", "Đức", "Mạnh", "Tâm", "Nghĩa", "Hòa",
)  # fmt: skip
_GIVEN_FEMALE_OLD = (
    "Lan", "Hoa", "Hương", "Hằng", "Hạnh", "Huệ", "Mai", "Nga", "Nhung", "Oanh",
    "Phượng", "Thủy", "Thúy", "Tuyết", "Yến", "Xuân", "Liên", "Loan", "Hà", "Hiền",
    "Hồng", "Dung", "Đào", "Lụa", "Nụ", "Sen", "Thơm", "Vân", "Tý", "Chắt", "Gái",
    "Nhàn", "Ngân", "Thìn", "Hòa", "Tươi", "Mơ", "Mận", "Cúc", "Lý", "Lành",
)  # fmt: skip
_GIVEN_FEMALE_YOUNG = (
    "Lan", "Hoa", "Hương", "Hằng", "Trang", "Linh", "Ngọc", "Thảo", "Huyền", "Hà",
    "Mai", "Anh", "Chi", "Vy", "My", "Ngân", "Nhung", "Phương", "Thủy", "Yến",
    "Quỳnh", "Giang", "Hạnh", "Hiền", "Dung", "Nga", "Nhi", "Thư", "Vân", "Tâm", "Uyên",
)  # fmt: skip
# Old tone placement, still common on papers: matches the new form only folded.
_OLD_TONE_PLACEMENT = {"Hòa": "Hoà", "Thủy": "Thuỷ", "Thúy": "Thuý"}
_OLD_TONE_SHARE = 0.2
_OLD_NAMES_BEFORE = 1975  # birth year from which the "young" name lists apply

VILLAGE_NAMES = (
    "Thôn Đông", "Thôn Tây", "Thôn Nam", "Thôn Bắc", "Thôn Trung", "Thôn Thượng",
    "Thôn Hạ", "Thôn Tân Lập", "Thôn Đồng Tâm", "Thôn Quyết Thắng", "Thôn Tiến Thành",
    "Thôn Thành Công", "Thôn Bình Minh", "Thôn Hòa Bình", "Thôn Đoàn Kết", "Thôn Phú Thọ",
    "Thôn Yên Bình", "Thôn Cẩm Tú", "Thôn Kim Sơn", "Thôn Ngọc Lâm", "Thôn Trường Sơn",
    "Thôn Thanh Xuân", "Thôn Phúc Lộc", "Thôn Đại Đồng",
)  # fmt: skip


class _Weighted:
    """A weighted list, its cumulative weights computed once."""

    def __init__(self, pairs: _W) -> None:
        self.values = [value for value, _weight in pairs]
        self.cum = list(accumulate(weight for _value, weight in pairs))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cum)[0]


_FAMILY = _Weighted(FAMILY_NAMES)
_MIDDLE = {
    (True, True): _Weighted(_MIDDLE_MALE_OLD),
    (True, False): _Weighted(_MIDDLE_MALE_YOUNG),
    (False, True): _Weighted(_MIDDLE_FEMALE_OLD),
    (False, False): _Weighted(_MIDDLE_FEMALE_YOUNG),
}
_SECOND_MIDDLE_FEMALE = _Weighted(_MIDDLE_FEMALE_YOUNG[1:])  # after "Thị"
_GIVEN = {
    (True, True): _GIVEN_MALE_OLD,
    (True, False): _GIVEN_MALE_YOUNG,
    (False, True): _GIVEN_FEMALE_OLD,
    (False, False): _GIVEN_FEMALE_YOUNG,
}


def draw_name(rng: random.Random, male: bool, birth_year: int, family: str | None = None) -> str:
    """Family, middle and given name for someone of that sex and birth year."""
    old = birth_year < _OLD_NAMES_BEFORE
    family = family or _FAMILY.pick(rng)
    middle = _MIDDLE[male, old].pick(rng)
    given = rng.choice(_GIVEN[male, old])
    if middle == "Thị" and not old and rng.random() < 0.2:
        # "Nguyễn Thị Thu Hương": four words are common among younger women.
        middle = f"Thị {_SECOND_MIDDLE_FEMALE.pick(rng)}"
    if given in _OLD_TONE_PLACEMENT and rng.random() < _OLD_TONE_SHARE:
        given = _OLD_TONE_PLACEMENT[given]
    return f"{family} {middle} {given}"
