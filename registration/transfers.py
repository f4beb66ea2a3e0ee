"""Moving enrolments from one programme to another from a month on.

The case: since 07/2025 people of 80 and over without a pension (BTXH_K5C)
belong in hưu trí xã hội (HTXH_75), and a person may not hold both in the
same month. The officer proposes the move for a commune, a category and a
month (:func:`propose_transfer`): every enrolment of the category live in the
month is listed, as moving — it meets the new category's conditions as the
enrolment rule checks them (``beneficiaries.services.enrolment_problem``: age,
the declared "no pension" fact and, for HTXH_70_NGHEO, the poor household,
recorded on the person with their documents) — or as left out, with why. The
leader approves (:func:`approve_transfer`): each old enrolment ends at the
month (reason "Chuyển sang chương trình khác"), a new one starts at the month
with its amount (base level × coefficient) and the same payment method,
account and representative. The old enrolment is paid up to the month before,
the new one from the month: no month unpaid, none twice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from amounts.models import Entitlement
from amounts.services import RateError, opening_entitlements
from beneficiaries.models import Beneficiary, Category, Commune, Person
from beneficiaries.services import enrolment_problem
from core import roles
from core.access import require_actor
from registration.models import (
    PaymentMethodRegistration,
    ProgrammeTransfer,
    ProgrammeTransferLine,
)

TRANSFER_NOTE = "Chuyển từ diện %(category)s (đề xuất số %(number)d)"


class TransferError(Exception):
    """A move between programmes refused, with a message for the user."""


@dataclass
class Candidate:
    """An enrolment of the category live in the month: moving, or left out and why."""

    enrolment: Beneficiary
    moves: bool
    reason: str
    amount_before: int | None
    amount_after: int | None


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _amount_in(enrolment: Beneficiary, month: datetime.date) -> int | None:
    return (
        Entitlement.objects.filter(beneficiary=enrolment, from_month__lte=month)
        .order_by("-from_month")
        .values_list("amount", flat=True)
        .first()
    )


def _new_enrolment(old: Beneficiary, to: Category, month: datetime.date) -> Beneficiary:
    return Beneficiary(
        person=old.person,
        commune=old.commune,
        programme=to.programme,
        category=to,
        start_month=month,
    )


def _check(old: Beneficiary, to: Category, month: datetime.date) -> tuple[str, int | None]:
    """Why ``old`` cannot move to ``to`` at ``month`` ("" when it can), and the new amount."""
    person = old.person
    if person.date_of_death is not None:
        return _("Đã mất ngày %(day)s.") % {"day": f"{person.date_of_death:%d/%m/%Y}"}, None
    if old.status == Beneficiary.Status.SUSPENDED:
        return _("Đang tạm dừng hưởng: giải quyết việc tạm dừng trước."), None
    others = []
    for other in person.enrolments.select_related("category", "programme"):
        if other.pk == old.pk:
            other.end_month = month  # as it will be once moved
        elif other.category_id == to.pk and other.status != Beneficiary.Status.ENDED:
            return _("Đã hưởng diện “%(category)s”.") % {"category": to.short_name}, None
        others.append(other)
    new = _new_enrolment(old, to, month)
    problem = enrolment_problem(new, others=others)
    if problem:
        return problem, None
    try:
        rows = opening_entitlements(new)
    except RateError as exc:
        return str(exc), None
    return "", rows[0].amount if rows else None


def transfer_candidates(
    commune: Commune, from_category: Category, to_category: Category, month: datetime.date
) -> list[Candidate]:
    """The enrolments of ``from_category`` in the commune live in ``month``, each
    moving or left out with the reason (nothing written)."""
    enrolments = (
        Beneficiary.objects.filter(commune=commune, category=from_category)
        .filter(start_month__lte=month)
        .filter(Q(end_month__isnull=True) | Q(end_month__gt=month))
        .exclude(status=Beneficiary.Status.ENDED)
        .select_related("person", "programme", "category", "commune")
        .prefetch_related("person__conditions")
        .order_by("person__sort_name", "pk")
    )
    candidates = []
    for enrolment in enrolments:
        reason, after = _check(enrolment, to_category, month)
        candidates.append(
            Candidate(
                enrolment=enrolment,
                moves=not reason,
                reason=reason,
                amount_before=_amount_in(enrolment, month),
                amount_after=after,
            )
        )
    return candidates


def _category(code: str) -> Category:
    category = Category.objects.select_related("programme").filter(code=code).first()
    if category is None:
        raise TransferError(_("Không có diện đối tượng mã %(code)s.") % {"code": code})
    return category


@transaction.atomic
def propose_transfer(
    commune: Commune,
    *,
    from_category_code: str,
    to_category_code: str,
    month: datetime.date,
    actor,
) -> ProgrammeTransfer:
    """Propose moving, from ``month`` on, the commune's enrolments of one category
    to another programme's category; the lines say who moves and who is left out."""
    require_actor(actor, roles.CAN_PROPOSE_TRANSFERS)
    if month.day != 1:
        raise TransferError(_("Tháng chuyển phải là ngày đầu tháng."))
    source, target = _category(from_category_code), _category(to_category_code)
    if source.programme_id == target.programme_id:
        raise TransferError(
            _(
                "Hai diện cùng thuộc chương trình %(programme)s: đây là đổi diện, không phải chuyển chương trình."
            )
            % {"programme": source.programme.short_name}
        )
    for programme in (source.programme, target.programme):
        if not programme.runs_in(month):
            raise TransferError(
                _(
                    "Chương trình %(programme)s chỉ có từ tháng %(start)s: không chuyển từ tháng %(month)s."
                )
                % {
                    "programme": programme.short_name,
                    "start": f"{programme.starts_from:%m/%Y}",
                    "month": f"{month:%m/%Y}",
                }
            )
    pending = ProgrammeTransfer.objects.filter(
        commune=commune,
        from_category=source,
        month=month,
        status=ProgrammeTransfer.Status.PENDING,
    ).first()
    if pending is not None:
        raise TransferError(
            _(
                "Đã có đề xuất số %(number)d chuyển diện “%(category)s” từ tháng %(month)s đang "
                "chờ duyệt: duyệt hoặc hủy đề xuất đó trước."
            )
            % {"number": pending.pk, "category": source.short_name, "month": f"{month:%m/%Y}"}
        )
    candidates = transfer_candidates(commune, source, target, month)
    if not candidates:
        raise TransferError(
            _("Không có ai hưởng diện “%(category)s” trong tháng %(month)s ở xã này.")
            % {"category": source.short_name, "month": f"{month:%m/%Y}"}
        )
    transfer = ProgrammeTransfer(
        commune=commune,
        from_category=source,
        to_category=target,
        month=month,
        proposed_by=_user(actor),
    )
    transfer._history_user = _user(actor)
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError:
        # Two submissions at once: the constraint let one through.
        raise TransferError(
            _("Đã có đề xuất chuyển diện này từ tháng %(month)s đang chờ duyệt.")
            % {"month": f"{month:%m/%Y}"}
        ) from None
    ProgrammeTransferLine.objects.bulk_create(
        ProgrammeTransferLine(
            transfer=transfer,
            enrolment=c.enrolment,
            moves=c.moves,
            reason=c.reason[:300],
            amount_before=c.amount_before,
            amount_after=c.amount_after,
        )
        for c in candidates
    )
    return transfer


def _lock_pending(transfer: ProgrammeTransfer) -> ProgrammeTransfer:
    locked = (
        ProgrammeTransfer.objects.select_for_update()
        .select_related("commune", "from_category", "to_category__programme")
        .get(pk=transfer.pk)
    )
    if locked.status == ProgrammeTransfer.Status.APPROVED:
        raise TransferError(
            _("Đề xuất số %(number)d đã được duyệt lúc %(at)s: không duyệt lại.")
            % {
                "number": locked.pk,
                "at": f"{timezone.localtime(locked.approved_at):%H:%M %d/%m/%Y}",
            }
        )
    if locked.status != ProgrammeTransfer.Status.PENDING:
        raise TransferError(_("Đề xuất số %(number)d đã bị hủy.") % {"number": locked.pk})
    return locked


def _copy_registrations(old: Beneficiary, new: Beneficiary, month: datetime.date, actor) -> None:
    """The old enrolment's registration in force in ``month`` (and any later one),
    for the new enrolment from ``month``: same method, account and representative."""
    in_force = PaymentMethodRegistration.objects.in_force_for(old, month).first()
    later = list(old.registrations.filter(from_month__gt=month).order_by("from_month"))
    chosen = ([in_force] if in_force else []) + later
    for i, registration in enumerate(chosen):
        copy = PaymentMethodRegistration(
            beneficiary=new,
            from_month=max(registration.from_month, month),
            method=registration.method,
            representative_id=registration.representative_id,
            account_id=registration.account_id,
            requested_on=registration.requested_on,
            form_reference=registration.form_reference,
            is_current=i == len(chosen) - 1,
        )
        copy._history_user = _user(actor)
        copy.save()


@transaction.atomic
def approve_transfer(transfer: ProgrammeTransfer, *, actor) -> ProgrammeTransfer:
    """Apply a pending proposal: each moving enrolment ends at the month and a new
    one of the other programme starts then, with its amount and registration."""
    require_actor(actor, roles.CAN_APPROVE_TRANSFERS)
    transfer = _lock_pending(transfer)
    month, target = transfer.month, transfer.to_category
    lines = list(
        transfer.lines.filter(moves=True).select_related("enrolment").order_by("enrolment_id")
    )
    people = [line.enrolment.person_id for line in lines]
    list(Person.objects.select_for_update().filter(pk__in=people).order_by("pk"))
    old_by_pk = {
        b.pk: b
        for b in Beneficiary.objects.select_for_update(of=("self",))
        .filter(pk__in=[line.enrolment_id for line in lines])
        .select_related("person", "programme", "category", "commune")
    }
    stamp_user = _user(actor)
    note = TRANSFER_NOTE % {"category": transfer.from_category.short_name, "number": transfer.pk}
    for line in lines:
        old = old_by_pk[line.enrolment_id]
        live = old.status != Beneficiary.Status.ENDED and (
            old.end_month is None or old.end_month > month
        )
        reason = _check(old, target, month)[0] if live else _("Đã thôi hưởng.")
        if reason:
            raise TransferError(
                _(
                    "Hồ sơ của %(name)s đã thay đổi từ khi đề xuất (%(reason)s): hủy đề xuất "
                    "này và lập đề xuất mới."
                )
                % {"name": old.person.full_name, "reason": reason}
            )
        old.end_month = month
        old.end_reason = Beneficiary.EndReason.TRANSFERRED
        old.status = Beneficiary.Status.ENDED
        old._history_user = stamp_user
        old.save(update_fields=["end_month", "end_reason", "status"])
        new = _new_enrolment(old, target, month)
        new.decision_number = old.decision_number
        new.decision_date = old.decision_date
        new.note = note[:300]
        new._history_user = stamp_user
        new.save()
        for row in opening_entitlements(new):
            row._history_user = stamp_user
            row.save()
        _copy_registrations(old, new, month, actor)
        line.new_enrolment = new
        line.save(update_fields=["new_enrolment"])
    transfer.status = ProgrammeTransfer.Status.APPROVED
    transfer.approved_by = stamp_user
    transfer.approved_at = timezone.now()
    transfer._history_user = stamp_user
    transfer.save(update_fields=["status", "approved_by", "approved_at"])
    return transfer


@transaction.atomic
def cancel_transfer(transfer: ProgrammeTransfer, *, actor) -> ProgrammeTransfer:
    """Drop a pending proposal (the officer who proposes, or the leader)."""
    require_actor(actor, roles.CAN_PROPOSE_TRANSFERS | roles.CAN_APPROVE_TRANSFERS)
    transfer = _lock_pending(transfer)
    transfer.status = ProgrammeTransfer.Status.CANCELLED
    transfer._history_user = _user(actor)
    transfer.save(update_fields=["status"])
    return transfer


__all__ = [
    "Candidate",
    "TransferError",
    "approve_transfer",
    "cancel_transfer",
    "propose_transfer",
    "transfer_candidates",
]
