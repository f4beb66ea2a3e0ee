"""Operations on money: one module per aggregate (accounts, base levels, cycles)."""

from payments.services.accounts import AccountError, save_account

__all__ = ["AccountError", "save_account"]
