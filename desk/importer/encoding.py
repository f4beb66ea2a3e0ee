"""Registry lists typed in the legacy TCVN3 and VNI encodings: deciding, converting, checking.

Commune lists older than Unicode's spread hold Latin-1 text that only looks
Vietnamese in the right font. The reader decides once per workbook, from the
first rows of each sheet, whether the text is Unicode, TCVN3 or VNI; converts
every cell of a legacy file; and refuses a file mixing encodings, which no
conversion can read right. Bank and police files are written by systems in
Unicode: this is the registry import's alone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from django.utils.translation import gettext as _

from core.rules.names import TCVN3, VNI, convert_legacy, detect_legacy_encoding
from documents.spreadsheet import WorkbookError

# Characters of Unicode Vietnamese that the legacy encodings (single-byte,
# Latin-1 range) never produce: ă đ ĩ ũ ơ ư, the Latin Extended Additional
# block, and combining marks of decomposed text.
UNICODE_VIETNAMESE = re.compile(
    "[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0"
    "\u0300-\u0323\u1ea0-\u1ef9]"
)
ENCODING_NAMES = {TCVN3: "TCVN3 (ABC, phông .VnTime)", VNI: "VNI (phông VNI-Times)"}


class LegacyConverter:
    """Converts the text cells of a legacy-encoded workbook to Unicode.

    ASCII cells are left alone (nothing to convert), and so are cells that
    already hold Unicode Vietnamese: converting them would garble them.
    """

    __slots__ = ("encoding", "cache")

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.cache: dict[str, str] = {}

    def row(self, row: tuple[object, ...]) -> tuple[object, ...]:
        if all(not isinstance(value, str) or value.isascii() for value in row):
            return row
        return tuple(self.text(value) if isinstance(value, str) else value for value in row)

    def text(self, value: str) -> str:
        if value.isascii() or UNICODE_VIETNAMESE.search(value):
            return value
        converted = self.cache.get(value)
        if converted is None:
            converted = convert_legacy(value, self.encoding)
            if len(self.cache) < 50_000:
                self.cache[value] = converted
        return converted


class EncodingDecision:
    """The workbook's encoding, decided from the first rows of each sheet in turn.

    ``encoding`` is ``None`` (Unicode) or the legacy encoding the whole file
    is converted from.
    """

    def __init__(self) -> None:
        self.encoding: str | None = None
        self.unicode_seen: str | None = None
        self.legacy_seen: str | None = None

    def decide(self, sheet: str, prefix: Sequence[Sequence[object]]) -> str | None:
        """Take a sheet's first rows into account; the warning to give when the file is converted.

        Evidence comes from the title rows, the header and the first data rows:
        cells with letters only Unicode has, and cells
        :func:`detect_legacy_encoding` recognises. One legacy encoding alone
        converts the whole file (one warning); both legacy encodings in
        comparable numbers, or legacy text next to Unicode text, refuse the
        file with :class:`WorkbookError`: converting would garble one part or
        the other.
        """
        votes: Counter[str] = Counter()
        examples: dict[str, str] = {}
        for row in prefix:
            for value in row:
                if not isinstance(value, str) or value.isascii():
                    continue
                if UNICODE_VIETNAMESE.search(value):
                    kind = "unicode"
                else:
                    kind = detect_legacy_encoding(value)
                    if kind is None:
                        continue
                votes[kind] += 1
                examples.setdefault(kind, value.strip())
        tcvn3, vni = votes[TCVN3], votes[VNI]
        if tcvn3 and vni and min(tcvn3, vni) * 5 > max(tcvn3, vni):
            raise WorkbookError(
                _(
                    "Trang “%(sheet)s” có chữ Việt gõ lẫn hai bảng mã TCVN3 (“%(a)s”) và VNI "
                    "(“%(b)s”): hãy chuyển tệp sang bảng mã Unicode (Unikey: Công cụ chuyển mã, "
                    "hoặc EVKey) rồi nhập lại."
                )
                % {"sheet": sheet, "a": examples[TCVN3], "b": examples[VNI]}
            )
        legacy = TCVN3 if tcvn3 > vni else VNI if vni else None
        if votes["unicode"]:
            self.unicode_seen = self.unicode_seen or examples["unicode"]
        if legacy is not None:
            if self.encoding not in (None, legacy):
                raise _mixed_encoding(sheet, examples[legacy], self.legacy_seen or "")
            self.legacy_seen = self.legacy_seen or examples[legacy]
        if self.unicode_seen and (legacy or self.encoding):
            raise _mixed_encoding(
                sheet, self.legacy_seen or examples.get(legacy or "", ""), self.unicode_seen
            )
        if legacy is None or self.encoding is not None:
            return None
        self.encoding = legacy
        return _(
            "Tệp gõ bằng bảng mã %(encoding)s, không phải Unicode: đã tự chuyển toàn bộ "
            "chữ sang Unicode. Hãy kiểm tra lại họ tên, tên thôn sau khi nhập."
        ) % {"encoding": ENCODING_NAMES[legacy]}


def _mixed_encoding(sheet: str, legacy: str, unicode: str) -> WorkbookError:
    return WorkbookError(
        _(
            "Tệp có chữ Việt gõ lẫn bảng mã cũ (ví dụ “%(legacy)s”) và Unicode (ví dụ "
            "“%(unicode)s”, trang “%(sheet)s”): hãy chuyển toàn bộ tệp sang bảng mã "
            "Unicode (Unikey: Công cụ chuyển mã) rồi nhập lại."
        )
        % {"legacy": legacy, "unicode": unicode, "sheet": sheet}
    )


def name_encoding_error(stored: str, legacy: str | None) -> str | None:
    """A name typed in a legacy encoding inside a Unicode file, or the reverse.

    ``stored`` is the name as the file stores it (before any conversion);
    ``legacy`` the file's encoding (``None`` for Unicode).
    """
    if legacy is None:
        if UNICODE_VIETNAMESE.search(stored):
            return None
        encoding = detect_legacy_encoding(stored)
        if encoding is None:
            return None
        return _(
            "Họ tên có vẻ gõ bằng bảng mã %(encoding)s trong khi tệp dùng Unicode: "
            "hãy chuyển sang Unicode."
        ) % {"encoding": ENCODING_NAMES[encoding]}
    if UNICODE_VIETNAMESE.search(stored):
        return _(
            "Họ tên gõ bằng Unicode trong khi tệp dùng bảng mã %(encoding)s: hãy chuyển "
            "toàn bộ tệp sang Unicode."
        ) % {"encoding": ENCODING_NAMES[legacy]}
    return None
