"""Banks, accounts, amounts and the monthly payment cycles (one module per aggregate)."""

from payments.models.accounts import Bank, PaymentAccount
from payments.models.amounts import AllowanceRate, Entitlement
from payments.models.cycle import Month, Payment, PaymentCycle, PaymentMonth

__all__ = [
    "AllowanceRate",
    "Bank",
    "Entitlement",
    "Month",
    "Payment",
    "PaymentAccount",
    "PaymentCycle",
    "PaymentMonth",
]
