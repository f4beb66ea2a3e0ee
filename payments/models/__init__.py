"""The monthly payment cycles, their payments and the months each pays.

Banks and accounts live in :mod:`accounts.models`, base levels and
entitlements in :mod:`amounts.models`.
"""

from payments.models.bankresults import BankResultsUpload
from payments.models.cashaccount import CashAccount
from payments.models.checks import PaymentCase, PaymentCheck, PaymentCheckSample
from payments.models.cycle import Month, Payment, PaymentCycle, PaymentMonth
from payments.models.recoveries import (
    Recovery,
    RecoveryDeduction,
    RecoveryMonth,
    RecoverySettlement,
)

__all__ = [
    "BankResultsUpload",
    "CashAccount",
    "Month",
    "Payment",
    "PaymentCase",
    "PaymentCheck",
    "PaymentCheckSample",
    "PaymentCycle",
    "PaymentMonth",
    "Recovery",
    "RecoveryDeduction",
    "RecoveryMonth",
    "RecoverySettlement",
]
