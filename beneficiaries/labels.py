"""The words the printed lists and the spreadsheets use for the registry's choices.

One table each: the registration lists, the cash lists and the registry's
export print them (the import reads them back through its synonyms).
"""

from __future__ import annotations

from beneficiaries.models import Person, Representative

GENDER_WORDS = {Person.Gender.MALE: "Nam", Person.Gender.FEMALE: "Nữ"}
# As it reads inside a sentence: "Con gái (ủy quyền)".
KIND_WORDS = {Representative.Kind.PROXY: "ủy quyền", Representative.Kind.GUARDIAN: "giám hộ"}
# Who receives, as the registry's spreadsheet column says it.
RECEIVER_WORDS = {
    None: "Bản thân",
    **{kind: word.capitalize() for kind, word in KIND_WORDS.items()},
}
