"""The post office's cash account of a cycle: the cash handed over, the cash
returned, and the two confirmations that the account balances.

One row per cycle that pays in cash or at home (created by the first record).
The figures it is checked against — what the post office paid and what it did
not — are the cycle's cash and home payments, read by
:mod:`payments.services.cashaccount`; a confirmation keeps a fingerprint of
them, so a result recorded or corrected afterwards voids it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def _all_or_none(*fields: str, text: tuple[str, ...] = ()) -> Q:
    """Either every field is set (text fields not blank) or none is."""
    unset = Q(**{f"{name}__isnull": True for name in fields}) & Q(**dict.fromkeys(text, ""))
    filled = Q(**{f"{name}__isnull": False for name in fields})
    for name in text:
        filled &= ~Q(**{name: ""})
    return unset | filled


class CashAccount(models.Model):
    """The cash a cycle hands to the post office, and what comes back."""

    cycle = models.OneToOneField(
        "payments.PaymentCycle",
        verbose_name=_("kỳ chi trả"),
        on_delete=models.PROTECT,
        related_name="cash_account",
    )
    # The accountant's handover: the cash and home lists' total when recorded.
    handed_over_amount = models.PositiveBigIntegerField(
        _("số tiền giao bưu điện (đồng)"), null=True, blank=True
    )
    handed_over_on = models.DateField(_("ngày giao"), null=True, blank=True)
    handover_voucher = models.CharField(_("số phiếu chi/biên nhận"), max_length=50, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi bàn giao"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handed_over_at = models.DateTimeField(_("ghi bàn giao lúc"), null=True, blank=True)
    # The post office's return of the cash nobody collected.
    returned_amount = models.PositiveBigIntegerField(
        _("tiền mặt bưu điện nộp lại (đồng)"), null=True, blank=True
    )
    returned_on = models.DateField(_("ngày nộp lại"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nộp lại"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    returned_at = models.DateTimeField(_("ghi nộp lại lúc"), null=True, blank=True)
    # Each confirmation keeps the fingerprint of the figures it confirmed.
    post_office_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bưu điện xác nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    post_office_confirmed_at = models.DateTimeField(
        _("bưu điện xác nhận lúc"), null=True, blank=True
    )
    post_office_figures = models.CharField(
        _("số liệu bưu điện xác nhận"), max_length=64, blank=True
    )
    accountant_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("kế toán xác nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accountant_confirmed_at = models.DateTimeField(_("kế toán xác nhận lúc"), null=True, blank=True)
    accountant_figures = models.CharField(_("số liệu kế toán xác nhận"), max_length=64, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tài khoản tiền mặt của bưu điện")
        verbose_name_plural = _("tài khoản tiền mặt của bưu điện")
        constraints = [
            models.CheckConstraint(
                condition=_all_or_none(
                    "handed_over_amount",
                    "handed_over_on",
                    "handed_over_by",
                    "handed_over_at",
                    text=("handover_voucher",),
                ),
                name="cash_account_handover_complete",
            ),
            models.CheckConstraint(
                condition=_all_or_none(
                    "returned_amount", "returned_on", "returned_by", "returned_at"
                ),
                name="cash_account_return_complete",
            ),
            models.CheckConstraint(
                condition=_all_or_none(
                    "post_office_confirmed_by",
                    "post_office_confirmed_at",
                    text=("post_office_figures",),
                ),
                name="cash_account_post_office_confirmation_complete",
            ),
            models.CheckConstraint(
                condition=_all_or_none(
                    "accountant_confirmed_by",
                    "accountant_confirmed_at",
                    text=("accountant_figures",),
                ),
                name="cash_account_accountant_confirmation_complete",
            ),
            # The accountant confirms after the post office, and is somebody else.
            models.CheckConstraint(
                condition=Q(accountant_confirmed_by__isnull=True)
                | Q(post_office_confirmed_by__isnull=False),
                name="cash_account_post_office_first",
            ),
            models.CheckConstraint(
                condition=Q(accountant_confirmed_by__isnull=True)
                | Q(post_office_confirmed_by__isnull=True)
                | ~Q(accountant_confirmed_by=F("post_office_confirmed_by")),
                name="cash_account_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return str(self.cycle)
