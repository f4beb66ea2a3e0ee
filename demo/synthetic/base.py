"""What every part of the generator shares: its fixed dates, its error, month arithmetic.

The dates are constants, never "today", so that the seed alone decides the data.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

#: The reference month of generated data. Fixed, so that the seed alone decides
#: the output: June 2025 is the last month before Yến Sơn merged into Hà Trung.
DEFAULT_AS_OF = datetime.date(2025, 6, 1)
#: Synthetic communes take codes 90001, 90002, …: real commune codes end near 32250.
SYNTHETIC_CODE_BASE = 90000
MAX_SYNTHETIC_COMMUNES = 9999
HOME_PROVINCE = "038"  # Thanh Hóa
#: Rows per INSERT: large enough to amortise the round trip, small enough for
#: SQLite's variable limit (Django lowers it there by itself).
BATCH_SIZE = 2000
#: The 2023 plan started collecting payment choices in August 2023.
COLLECTION_START = datetime.date(2023, 8, 1)
EARLIEST_AS_OF = datetime.date(2023, 9, 1)
EARLIEST_START = {"NCC": datetime.date(1995, 1, 1), "BTXH": datetime.date(2008, 1, 1)}


class SyntheticError(Exception):
    """The generator refused; ``message`` is for the person who ran it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def check_as_of(as_of: datetime.date) -> None:
    if as_of < EARLIEST_AS_OF:
        raise SyntheticError(
            _("Ngày tham chiếu phải từ %(day)s trở đi (sau khi bắt đầu thu thập đăng ký).")
            % {"day": EARLIEST_AS_OF.strftime("%d/%m/%Y")}
        )
