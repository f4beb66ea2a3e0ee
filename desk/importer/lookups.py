"""The reference lookups of one read, cached by the cell's text.

The same words (a category, a bank, a programme) repeat on every row of a
list: each is folded and looked up once per file, not once per row.
"""

from __future__ import annotations

from desk.importer.rows import CategoryRef, Reference
from desk.importer.values import bank_fallback_keys, bank_keys
from documents.spreadsheet import PARENTHESIS, cell_text, fold_key


def lookup_text(value: object) -> str:
    """A cell as text for a lookup: strings as they are (the lookups cache by them)."""
    return value if value.__class__ is str else cell_text(value)  # type: ignore[return-value]


class Lookups:
    """Reference lookups cached by the raw cell text."""

    def __init__(self, reference: Reference) -> None:
        self.reference = reference
        self.programmes: dict[str, str | None] = {}
        self.categories: dict[str, tuple[CategoryRef, ...]] = {}
        self.banks: dict[str, tuple[str, bool] | str | None] = {}

    def programme(self, text: str) -> str | None:
        try:
            return self.programmes[text]
        except KeyError:
            code = self.reference.programmes.get(fold_key(text))
            self.programmes[text] = code
            return code

    def category(self, text: str) -> tuple[CategoryRef, ...]:
        try:
            return self.categories[text]
        except KeyError:
            refs = self.reference.categories.get(fold_key(text), ())
            if not refs and ("(" in text or "[" in text):
                refs = self.reference.categories.get(fold_key(PARENTHESIS.sub(" ", text)), ())
            self.categories[text] = refs
            return refs

    def bank(self, text: str) -> tuple[str, bool] | str | None:
        """``(bin, e-wallet)``, ``"ambiguous"``, or ``None`` for an unknown bank."""
        try:
            return self.banks[text]
        except KeyError:
            pass
        banks = self.reference.banks
        ambiguous = self.reference.ambiguous_banks
        found: tuple[str, bool] | str | None = None
        for key in (*bank_keys(text), *bank_fallback_keys(text)):
            if key in banks:
                found = banks[key]
                break
            if key in ambiguous:
                found = "ambiguous"
                break
        self.banks[text] = found
        return found
