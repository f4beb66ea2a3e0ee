"""How the application names the people who use it: by their full name in
Vietnamese order, never by their log-in.

The account's ``__str__`` is this name (set in :class:`core.apps.CoreConfig`),
so every place that prints a user — a page, the admin's lists and read-only
fields, a record's history, a spreadsheet — names them the same way.
"""

from __future__ import annotations


def full_name(user) -> str:
    """Family name first ("Lê Thị Hoa": the account's last name, then its first
    name), else the username; "" for nobody."""
    if user is None:
        return ""
    name = " ".join(part for part in (user.last_name.strip(), user.first_name.strip()) if part)
    return name or user.username
