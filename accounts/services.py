"""Operations on payment accounts.

The officer's account page, the account opening and the registry import record
accounts; one rule refuses the same bank and number for two holders.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import PaymentAccount
from core import roles
from core.access import require_actor


class AccountError(Exception):
    """An account operation refused, with a message for the officer."""


@transaction.atomic
def save_account(account: PaymentAccount, *, actor) -> PaymentAccount:
    """Create or update an account; the same bank and number twice is refused.

    The message does not name the other holder: they may be in a commune the
    actor cannot see.
    """
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    clash = PaymentAccount.objects.filter(bank=account.bank, number=account.number).exclude(
        pk=account.pk
    )
    if clash.exists():
        raise AccountError(
            _("Tài khoản %(number)s tại %(bank)s đã được đăng ký cho một người khác.")
            % {"number": account.number, "bank": account.bank.short_name}
        )
    account._history_user = actor
    try:
        # The constraint still guards a concurrent insert of the same account.
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise AccountError(
            _("Tài khoản %(number)s tại %(bank)s đã được đăng ký cho một người khác.")
            % {"number": account.number, "bank": account.bank.short_name}
        ) from None
    return account
