"""How each beneficiary wants to be paid, with its history."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from beneficiaries.models import Beneficiary, Representative
from payments.models import PaymentAccount


class PaymentMethodRegistration(models.Model):
    """A beneficiary's choice of payment method from a month on.

    Earlier choices are kept; exactly one per beneficiary is current
    (a partial unique constraint, not only a Python check).
    """

    class Method(models.TextChoices):
        ACCOUNT = "account", _("Qua tài khoản")
        CASH = "cash", _("Tiền mặt tại điểm chi trả")
        HOME = "home", _("Tiền mặt tại nhà")

    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name=_("đối tượng hưởng"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    from_month = models.DateField(_("từ tháng"))
    method = models.CharField(_("hình thức nhận"), max_length=20, choices=Method.choices)
    representative = models.ForeignKey(
        Representative,
        verbose_name=_("người nhận thay"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
        help_text=_("Để trống khi đối tượng tự nhận."),
    )
    account = models.ForeignKey(
        PaymentAccount,
        verbose_name=_("tài khoản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    requested_on = models.DateField(_("ngày đăng ký"))
    form_reference = models.CharField(_("số phiếu đăng ký"), max_length=100, blank=True)
    is_current = models.BooleanField(_("đang áp dụng"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("đăng ký hình thức nhận")
        verbose_name_plural = _("đăng ký hình thức nhận")
        ordering = ["beneficiary", "-from_month"]
        constraints = [
            # Serves "the current registration of each beneficiary" on every list.
            models.UniqueConstraint(
                fields=["beneficiary"],
                condition=Q(is_current=True),
                name="registration_one_current_per_beneficiary",
            ),
            models.UniqueConstraint(
                fields=["beneficiary", "from_month"], name="registration_once_per_month"
            ),
            models.CheckConstraint(
                condition=(Q(method="account") & Q(account__isnull=False))
                | (~Q(method="account") & Q(account__isnull=True)),
                name="registration_account_iff_account_method",
            ),
            models.CheckConstraint(
                condition=Q(from_month__day=1), name="registration_from_first_of_month"
            ),
            models.CheckConstraint(
                condition=Q(method__in=["account", "cash", "home"]),
                name="registration_method_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary}: {self.get_method_display()} từ {self.from_month:%m/%Y}"

    @property
    def receiver(self):
        """The person who receives the money: the representative, or the beneficiary."""
        return self.representative.person if self.representative_id else self.beneficiary.person
