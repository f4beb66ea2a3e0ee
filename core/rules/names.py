"""Vietnamese personal names: cleanup, folding for comparison, list order, legacy encodings.

Names are stored as typed, in NFC, with whitespace cleaned up. They are compared
*folded* (no diacritics, upper-case), because banks print account holders that
way and because old and new tone placement (``Hoà``/``Hòa``, ``Thuỷ``/``Thủy``)
differ as strings.

Commune files made before Unicode was common use the TCVN3 (ABC, ``.VnTime``
fonts) or VNI-Windows (``VNI-Times`` fonts) encodings: the cell holds Latin-1
characters that only look Vietnamese in the right font (``Ninh B×nh``,
``Xin chaøo``). :func:`detect_legacy_encoding` recognises them and
:func:`convert_legacy` converts them; see their docstrings for the limits.
"""

from __future__ import annotations

import re
import unicodedata

#: Characters that occupy no space and are dropped outright: zero-width space,
#: non-joiner, joiner, word joiner and the byte-order mark (pasted from web pages
#: and from files saved as "UTF-8 with BOM").
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_ZERO_WIDTH_TABLE = str.maketrans("", "", ZERO_WIDTH)

TCVN3 = "TCVN3"
VNI = "VNI"
LEGACY_ENCODINGS = (TCVN3, VNI)


def _clean(s: str) -> str:
    """NFC, zero-width characters removed, whitespace (incl. NBSP) collapsed."""
    text = unicodedata.normalize("NFC", s).translate(_ZERO_WIDTH_TABLE)
    # str.split() without arguments splits on every Unicode space, NBSP included.
    return " ".join(text.split())


def normalize_name(s: str) -> str:
    """The name to store: NFC with whitespace cleaned up, case kept as typed.

    Case is deliberately left alone: "title-casing" Vietnamese names breaks
    particles and foreign names, and an all-capitals name on a list is still
    the person's name. Zero-width characters are removed and every run of
    spaces (NBSP, tabs, line breaks from wrapped cells) becomes one space.
    """
    return _clean(s)


def fold_name(s: str) -> str:
    """The comparison form of a name: no diacritics, upper-case, single spaces.

    NFC first, then upper-case (before stripping marks, so that letters whose
    capital decomposes are handled too), ``Đ`` to ``D`` (it has no decomposition),
    every non-spacing mark removed after NFD, zero-width characters dropped and
    whitespace collapsed. ``Nguyễn Thị Hằng`` gives ``NGUYEN THI HANG``; ``Hoà``
    and ``Hòa`` give the same. The result is NFC and folding it again changes
    nothing.
    """
    text = unicodedata.normalize("NFC", s).upper().replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return _clean(stripped)


def given_name(full_name: str) -> str:
    """The last word of a Vietnamese full name (``Hằng`` in ``Nguyễn Thị Hằng``)."""
    words = normalize_name(full_name).split(" ")
    return words[-1]


def sort_key(full_name: str) -> tuple[str, str, str]:
    """Key for the customary list order: given name (last word), then full name.

    Both are compared folded, so ``Ánh`` sorts with ``Anh`` and case does not
    matter; ties are broken by the cleaned-up original so the order is total
    and stable. The Vietnamese alphabet proper puts ``ă``, ``â`` after ``a`` and
    ``đ`` after ``d``; that refinement is deliberately not implemented: lists
    printed by the communes' spreadsheets sort folded, and this matches them.
    """
    cleaned = normalize_name(full_name)
    return (fold_name(given_name(cleaned)), fold_name(cleaned), cleaned)


def names_match(a: str, b: str) -> bool:
    """Whether two names are the same once folded (``NGUYEN THI HANG`` = ``Nguyễn Thị Hằng``).

    An empty name matches nothing, not even another empty name: a missing
    holder name must never count as a match with a missing receiver name.
    """
    folded_a = fold_name(a)
    return bool(folded_a) and folded_a == fold_name(b)


# --- Legacy encodings -------------------------------------------------------------
#
# TCVN3 (TCVN 5712:1993, "ABC") is a single-byte encoding. Each toned vowel has
# its own code point; the rows below follow the code chart column order of the
# tones: huyền (grave), hỏi (hook), ngã (tilde), sắc (acute), nặng (dot below).
# The byte is read as the Latin-1 / Windows-1252 character of the same value,
# which is what Excel stores for text typed in a .VnTime font.
#
# TCVN3 has only seven capitals of its own (Ă Â Ê Ô Ơ Ư Đ, 0xA1-0xA7). Other
# capitals with tone marks are typed with a separate "H" font (.VnTimeH) at the
# same code points as the lower-case letters, so the bytes alone cannot tell
# "à" from "À". See :func:`_tcvn3_restore_capitals` for how case is guessed.

_TCVN3_CAPITALS: dict[int, str] = {
    0xA1: "Ă",
    0xA2: "Â",
    0xA3: "Ê",
    0xA4: "Ô",
    0xA5: "Ơ",
    0xA6: "Ư",
    0xA7: "Đ",
}

_TCVN3_LOWER_PLAIN: dict[int, str] = {
    0xA8: "ă",
    0xA9: "â",
    0xAA: "ê",
    0xAB: "ô",
    0xAC: "ơ",
    0xAD: "ư",  # the soft-hyphen position: invisible in any other font
    0xAE: "đ",
}

#: (toned vowels in chart order grave, hook, tilde, acute, dot; their TCVN3 codes)
_TCVN3_TONED_ROWS: tuple[tuple[str, tuple[int, int, int, int, int]], ...] = (
    ("àảãáạ", (0xB5, 0xB6, 0xB7, 0xB8, 0xB9)),
    ("ằẳẵắặ", (0xBB, 0xBC, 0xBD, 0xBE, 0xC6)),
    ("ầẩẫấậ", (0xC7, 0xC8, 0xC9, 0xCA, 0xCB)),
    ("èẻẽéẹ", (0xCC, 0xCE, 0xCF, 0xD0, 0xD1)),
    ("ềểễếệ", (0xD2, 0xD3, 0xD4, 0xD5, 0xD6)),
    ("ìỉĩíị", (0xD7, 0xD8, 0xDC, 0xDD, 0xDE)),
    ("òỏõóọ", (0xDF, 0xE1, 0xE2, 0xE3, 0xE4)),
    ("ồổỗốộ", (0xE5, 0xE6, 0xE7, 0xE8, 0xE9)),
    ("ờởỡớợ", (0xEA, 0xEB, 0xEC, 0xED, 0xEE)),
    ("ùủũúụ", (0xEF, 0xF1, 0xF2, 0xF3, 0xF4)),
    ("ừửữứự", (0xF5, 0xF6, 0xF7, 0xF8, 0xF9)),
    ("ỳỷỹýỵ", (0xFA, 0xFB, 0xFC, 0xFD, 0xFE)),
)

#: Lower-case letters whose code is shared with the .VnTimeH capital.
TCVN3_LOWER: dict[str, str] = {chr(code): letter for code, letter in _TCVN3_LOWER_PLAIN.items()}
TCVN3_LOWER.update(
    {
        chr(code): letter
        for letters, codes in _TCVN3_TONED_ROWS
        for letter, code in zip(letters, codes, strict=True)
    }
)
#: Every TCVN3 character that differs from ASCII, with its Unicode letter.
TCVN3_TABLE: dict[str, str] = {chr(code): letter for code, letter in _TCVN3_CAPITALS.items()}
TCVN3_TABLE.update(TCVN3_LOWER)

# VNI-Windows writes most Vietnamese letters as a base letter followed by a
# diacritic character (``a`` + ``ø`` = ``à``); a few are single characters
# (``ô`` = ``ơ``, ``ö`` = ``ư``, ``ñ`` = ``đ``, ``æ`` = ``ỉ``...). The table is
# written in lower case; capitals are the same sequences upper-cased
# (``AØ`` = ``À``, ``Ñ`` = ``Đ``), which is how the VNI fonts lay them out.
_VNI_LOWER_ROWS: tuple[tuple[str, str], ...] = (
    # VNI sequences (space separated)       Unicode letters
    ("aù aø aû aõ aï", "áàảãạ"),
    ("aâ aá aà aå aã aä", "âấầẩẫậ"),
    ("aê aé aè aú aü aë", "ăắằẳẵặ"),
    ("eù eø eû eõ eï", "éèẻẽẹ"),
    ("eâ eá eà eå eã eä", "êếềểễệ"),
    ("í ì æ ó ò", "íìỉĩị"),
    ("où oø oû oõ oï", "óòỏõọ"),
    ("oâ oá oà oå oã oä", "ôốồổỗộ"),
    ("ô ôù ôø ôû ôõ ôï", "ơớờởỡợ"),
    ("uù uø uû uõ uï", "úùủũụ"),
    ("ö öù öø öû öõ öï", "ưứừửữự"),
    ("yù yø yû yõ î", "ýỳỷỹỵ"),
    ("ñ", "đ"),
)


def _build_vni_table() -> dict[str, str]:
    """Lower-case, capital and mixed-case VNI sequences mapped to Unicode.

    A capital base letter followed by a lower-case diacritic (``Aùnh``) occurs
    when a capitalised word was typed with the lower-case diacritic key; the
    case of the base letter decides the case of the result. The reverse
    (``aÙ``) is not accepted: it does not occur in VNI text, while TCVN3 text
    has such pairs (``oÏ`` is ``oẽ``) and must not be mistaken for VNI.
    """
    table: dict[str, str] = {}
    for sequences, letters in _VNI_LOWER_ROWS:
        for sequence, letter in zip(sequences.split(), letters, strict=True):
            if len(sequence) == 1:
                table[sequence] = letter
                table[sequence.upper()] = letter.upper()
                continue
            base, mark = sequence
            table[sequence] = letter
            table[base.upper() + mark] = letter.upper()
            table[sequence.upper()] = letter.upper()
    return table


VNI_TABLE: dict[str, str] = _build_vni_table()
_VNI_PAIRS = frozenset(key for key in VNI_TABLE if len(key) == 2)
_VNI_SINGLES = frozenset(key for key in VNI_TABLE if len(key) == 1)

#: Every precomposed Vietnamese letter with a diacritic, both cases.
VIETNAMESE_LETTERS = frozenset(
    "".join(TCVN3_TABLE.values()) + "".join(TCVN3_TABLE.values()).upper()
)
#: Pairs that VNI produces but that are also ordinary Unicode Vietnamese
#: (``hoà``, ``hoá``, ``hoãn`` with the tone on the ``a``): no evidence either way.
_AMBIGUOUS_VNI_PAIRS = frozenset({"oà", "oá", "oã", "Oà", "Oá", "Oã", "OÀ", "OÁ", "OÃ"})

_WORD = re.compile(r"[^\W\d_]+")


def detect_legacy_encoding(s: str) -> str | None:
    """``"TCVN3"`` or ``"VNI"`` when ``s`` looks like text in that encoding, else ``None``.

    Evidence is what Unicode Vietnamese never contains:

    * VNI: a vowel followed by a VNI diacritic character (``aø``, ``eã``, ``aè``,
      ``yõ``...): two points each. ``oà``, ``oá``, ``oã`` are ordinary Unicode
      (``hoà``) and count for nothing.
    * TCVN3: a TCVN3 character that is not a Vietnamese letter (``×``, ``Þ``,
      ``»``, ``µ``, ``¸``, ``§``...) next to or forming a letter: two points.
      ``æ ñ î ö`` (and capitals) are letters in both encodings: one point each.

    The higher score wins. ``None`` is returned for plain or Unicode text, and
    also when the evidence is tied, so that the caller refuses the value with a
    message rather than guessing. Limits: a single word whose legacy form uses
    only characters that are also Unicode Vietnamese letters cannot be
    recognised (VNI ``Trònh`` for Trịnh, TCVN3 ``Quúnh`` for Quỳnh); a TCVN3
    ``uû`` (``Thuû`` = Thuỷ) reads as VNI ``uû`` (= ủ). Foreign names with
    ``ø``, ``ë``... would be taken for legacy text: this is meant for columns
    of Vietnamese text.
    """
    text = unicodedata.normalize("NFC", s)
    vni = 0
    tcvn3 = 0
    index = 0
    while index < len(text):
        pair = text[index : index + 2]
        if pair in _VNI_PAIRS:
            if pair not in _AMBIGUOUS_VNI_PAIRS:
                vni += 2
            index += 2
            continue
        char = text[index]
        if char in TCVN3_TABLE and char not in VIETNAMESE_LETTERS and _forms_letter(text, index):
            if char in _VNI_SINGLES:
                vni += 1
                tcvn3 += 1
            else:
                tcvn3 += 2
        index += 1
    if vni == tcvn3:
        return None
    return VNI if vni > tcvn3 else TCVN3


def _forms_letter(text: str, index: int) -> bool:
    """Whether the character at ``index`` is, or touches, a letter.

    Keeps ``2×3`` or a lone ``§`` in a note from being read as TCVN3.
    """
    if text[index].isalpha():
        return True
    before = text[index - 1] if index > 0 else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    return before.isalpha() or after.isalpha()


def convert_legacy(s: str, encoding: str) -> str:
    """Convert TCVN3 (ABC) or VNI-Windows text to Unicode NFC.

    ``encoding`` is ``"TCVN3"`` or ``"VNI"`` (case-insensitive), as returned by
    :func:`detect_legacy_encoding`; anything else raises :class:`ValueError`.
    ASCII and characters outside the tables pass through unchanged.

    TCVN3 capitals with tone marks share their codes with the lower-case letters
    (they were typed in the .VnTimeH font), so their case is inferred, see
    :func:`_tcvn3_restore_capitals`. VNI capitals are explicit and need no guess.
    """
    name = encoding.upper()
    if name == TCVN3:
        return unicodedata.normalize("NFC", _convert_tcvn3(unicodedata.normalize("NFC", s)))
    if name == VNI:
        return unicodedata.normalize("NFC", _convert_vni(unicodedata.normalize("NFC", s)))
    raise ValueError(f"Unknown legacy encoding {encoding!r}: expected TCVN3 or VNI.")


def _convert_vni(text: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(text):
        pair = text[index : index + 2]
        if pair in VNI_TABLE:
            out.append(VNI_TABLE[pair])
            index += 2
            continue
        char = text[index]
        out.append(VNI_TABLE.get(char, char))
        index += 1
    return "".join(out)


def _convert_tcvn3(text: str) -> str:
    chars: list[str] = []
    case_unknown: list[bool] = []
    for char in text:
        chars.append(TCVN3_TABLE.get(char, char))
        case_unknown.append(char in TCVN3_LOWER)
    _tcvn3_restore_capitals(chars, case_unknown)
    return "".join(chars)


def _tcvn3_restore_capitals(chars: list[str], case_unknown: list[bool]) -> None:
    """Guess the case of TCVN3 letters typed in the .VnTimeH capitals font.

    The other letters of the text (ASCII and the seven TCVN3 capitals) have a
    known case and decide:

    * a word whose known letters are all capitals, at least two of them, is
      all capitals (``NGUYÔN`` gives ``NGUYỄN``, ``S¸CH`` gives ``SÁCH``);
    * a word with a single known capital (``Hµ``) is all capitals only when the
      whole text is (``TH¤N Hµ`` gives ``THÔN HÀ``, but ``Lª Hµ`` stays ``Lê Hà``);
    * a word starting with a guessed letter is capitalised when every word
      whose first letter is known starts with a capital (title case, as in
      names: ``Lª ThÞ ¸nh`` gives ``Lê Thị Ánh``).

    Anything else stays lower case, e.g. a lone ``¸nh`` gives ``ánh``.
    """
    text = "".join(chars)
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]

    def known_cased(start: int, end: int) -> list[str]:
        return [
            chars[i]
            for i in range(start, end)
            if not case_unknown[i] and chars[i].lower() != chars[i].upper()
        ]

    all_known = known_cased(0, len(chars))
    text_all_capitals = bool(all_known) and all(c.isupper() for c in all_known)
    some_capital_word = any(
        len(known) >= 2 and all(c.isupper() for c in known)
        for known in (known_cased(start, end) for start, end in words)
    )
    known_firsts = [chars[start] for start, _end in words if not case_unknown[start]]
    title_case = bool(known_firsts) and all(c.isupper() for c in known_firsts)

    for start, end in words:
        if not any(case_unknown[start:end]):
            continue
        known = known_cased(start, end)
        capitals = bool(known) and all(c.isupper() for c in known)
        if capitals and (len(known) >= 2 or (text_all_capitals and some_capital_word)):
            for i in range(start, end):
                if case_unknown[i]:
                    chars[i] = chars[i].upper()
        elif case_unknown[start] and title_case:
            chars[start] = chars[start].upper()
