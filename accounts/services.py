"""Operations on payment accounts.

The officer's account page, the account opening and the registry import record
accounts; one rule refuses the same bank and number for two holders.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Bank, PaymentAccount
from core import roles
from core.access import require_actor


class AccountError(Exception):
    """An account operation refused, with a message for the officer."""


def account_taken(bank: Bank, number: str, *, exclude_pk: int | None = None) -> str | None:
    """The refusal of an account whose bank and number another account has, or None.

    The message does not name the other holder: they may be in a commune the
    actor cannot see.
    """
    clash = PaymentAccount.objects.filter(bank=bank, number=number)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if not clash.exists():
        return None
    return _("Tài khoản %(number)s tại %(bank)s đã được đăng ký cho một người khác.") % {
        "number": number,
        "bank": bank.short_name,
    }


@transaction.atomic
def save_account(account: PaymentAccount, *, actor) -> PaymentAccount:
    """Create or update an account; the same bank and number twice is refused."""
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    taken = account_taken(account.bank, account.number, exclude_pk=account.pk)
    if taken:
        raise AccountError(taken)
    account._history_user = actor
    try:
        # The constraint still guards a concurrent insert of the same account.
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise AccountError(
            account_taken(account.bank, account.number, exclude_pk=account.pk)
            or _("Tài khoản này đã được đăng ký cho một người khác.")
        ) from None
    return account
