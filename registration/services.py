"""Payment-method registration, account opening and outreach: one function per user action.

Each checks the actor's role first (:func:`core.access.require_actor`; ``None``
is the system), runs in one transaction and stamps the history row with the
acting user.
Rows whose state changes are locked first (``select_for_update``) so that a
double submission or two officers at once serialise instead of racing.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Bank, PaymentAccount
from accounts.services import AccountError, save_account
from beneficiaries.models import (
    Beneficiary,
    Commune,
    Person,
    Representative,
    merged_commune_problem,
)
from core import roles
from core.access import require_actor
from registration.models import (
    AccountOpeningRequest,
    OutreachActivity,
    PaymentMethodRegistration,
)

Method = PaymentMethodRegistration.Method
State = AccountOpeningRequest.State


class RegistrationError(Exception):
    """An operation refused, with a message for the officer.

    ``field`` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _stamp(instance, actor) -> None:
    instance._history_user = actor if getattr(actor, "pk", None) else None


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _check_open(commune: Commune, month: datetime.date) -> None:
    """Nothing is registered for a merged commune's month on or after its merger."""
    problem = merged_commune_problem(commune, month)
    if problem:
        raise RegistrationError(problem)


def _check_enrolment_live(beneficiary: Beneficiary, from_month: datetime.date) -> None:
    person = beneficiary.person
    if person.date_of_death is not None:
        raise RegistrationError(
            _("%(name)s đã mất ngày %(day)s: không đăng ký hình thức nhận.")
            % {"name": person.full_name, "day": f"{person.date_of_death:%d/%m/%Y}"}
        )
    if beneficiary.status == Beneficiary.Status.ENDED or (
        beneficiary.end_month is not None and from_month >= beneficiary.end_month
    ):
        raise RegistrationError(
            _("Diện hưởng %(programme)s đã thôi hưởng: không đăng ký hình thức nhận.")
            % {"programme": beneficiary.programme.short_name}
        )


def _check_representative(
    representative: Representative, person: Person, day: datetime.date
) -> None:
    if representative.represented_id != person.pk:
        raise RegistrationError(
            _("%(rep)s không phải người nhận thay của %(name)s.")
            % {"rep": representative.person.full_name, "name": person.full_name},
            field="representative",
        )
    if representative.valid_until is not None and day > representative.valid_until:
        raise RegistrationError(
            _("Giấy ủy quyền/giám hộ của %(rep)s đã hết hiệu lực từ %(until)s.")
            % {
                "rep": representative.person.full_name,
                "until": f"{representative.valid_until:%d/%m/%Y}",
            },
            field="representative",
        )
    if day < representative.valid_from:
        raise RegistrationError(
            _("Giấy ủy quyền/giám hộ của %(rep)s chỉ có hiệu lực từ %(start)s.")
            % {
                "rep": representative.person.full_name,
                "start": f"{representative.valid_from:%d/%m/%Y}",
            },
            field="representative",
        )


def _check_account_holder(
    account: PaymentAccount, beneficiary: Beneficiary, representative: Representative | None
) -> None:
    # The account must be the receiver's: the representative's when one receives,
    # else the beneficiary's (the bank pays the holder; data quality blocks otherwise).
    receiver = representative.person_id if representative is not None else beneficiary.person_id
    if account.holder_id != receiver:
        raise RegistrationError(
            _(
                "Tài khoản %(number)s không đứng tên người nhận tiền (%(receiver)s): "
                "chỉ nhận vào tài khoản của chính người nhận."
            )
            % {
                "number": account.number,
                "receiver": (
                    representative.person.full_name
                    if representative is not None
                    else beneficiary.person.full_name
                ),
            },
            field="account",
        )


def _same_choice(current: PaymentMethodRegistration, values: dict) -> bool:
    """Whether ``values`` repeat the current registration (a double submission)."""
    representative, account = values["representative"], values["account"]
    return (
        current.method == values["method"]
        and current.representative_id == (representative.pk if representative else None)
        and current.account_id == (account.pk if account else None)
        and current.requested_on == values["requested_on"]
        and current.form_reference == values["form_reference"]
    )


@transaction.atomic
def register_payment_method(
    beneficiary: Beneficiary,
    *,
    method: str,
    from_month: datetime.date,
    representative: Representative | None = None,
    account: PaymentAccount | None = None,
    new_account: PaymentAccount | None = None,
    requested_on: datetime.date,
    form_reference: str = "",
    actor,
) -> PaymentMethodRegistration:
    """Record how an enrolment is paid from ``from_month`` on; it becomes the current one.

    ``new_account`` is an unsaved account typed in the same form: it is saved
    (through ``save_account``) only when the registration is accepted.

    The previous current registration stays as history. A registration for
    the same month as the current one replaces it (the history table keeps
    the old values); an identical one (a double submission) changes nothing.
    A month before the current registration's is refused: the current choice
    is always the latest.
    """
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    beneficiary = (
        Beneficiary.objects.select_for_update(of=("self",))
        .select_related("person", "programme")
        .get(pk=beneficiary.pk)
    )
    if from_month.day != 1:
        raise RegistrationError(_("Tháng bắt đầu phải là ngày đầu tháng."), field="from_month")
    if method not in Method.values:
        raise RegistrationError(_("Hình thức nhận không hợp lệ."), field="method")
    _check_open(beneficiary.commune, from_month)
    _check_enrolment_live(beneficiary, from_month)
    if from_month < beneficiary.start_month:
        raise RegistrationError(
            _("Tháng bắt đầu nhận không thể trước tháng bắt đầu hưởng (%(start)s).")
            % {"start": f"{beneficiary.start_month:%m/%Y}"},
            field="from_month",
        )
    if representative is not None:
        _check_representative(representative, beneficiary.person, from_month)
        if method == Method.HOME:
            raise RegistrationError(
                _(
                    "Chi trả tại nhà dành cho người không tự đi nhận được và không có ai "
                    "nhận thay: bỏ chọn người nhận thay hoặc chọn hình thức khác."
                ),
                field="method",
            )
    if method == Method.ACCOUNT:
        if account is not None and new_account is not None:
            raise RegistrationError(
                _("Chọn một tài khoản có sẵn hoặc thêm tài khoản mới, không cả hai."),
                field="account",
            )
        if account is None and new_account is None:
            raise RegistrationError(
                _("Nhận qua tài khoản cần chọn một tài khoản hoặc thêm tài khoản mới."),
                field="account",
            )
    elif account is not None or new_account is not None:
        raise RegistrationError(_("Chỉ chọn tài khoản khi nhận qua tài khoản."), field="account")
    if new_account is not None:
        _check_account_holder(new_account, beneficiary, representative)
        try:
            account = save_account(new_account, actor=actor)
        except AccountError as exc:
            raise RegistrationError(str(exc), field="new_account") from None
    elif account is not None:
        _check_account_holder(account, beneficiary, representative)
        if not account.active:
            raise RegistrationError(
                _("Tài khoản %(number)s đã ngừng sử dụng.") % {"number": account.number},
                field="account",
            )

    current = (
        PaymentMethodRegistration.objects.select_for_update()
        .filter(beneficiary=beneficiary, is_current=True)
        .first()
    )
    values = {
        "method": method,
        "representative": representative,
        "account": account,
        "requested_on": requested_on,
        "form_reference": form_reference.strip(),
    }
    if current is not None:
        if from_month < current.from_month:
            raise RegistrationError(
                _(
                    "Đã có đăng ký đang áp dụng từ tháng %(month)s: tháng bắt đầu phải từ "
                    "tháng đó trở đi."
                )
                % {"month": f"{current.from_month:%m/%Y}"},
                field="from_month",
            )
        if from_month == current.from_month:
            if _same_choice(current, values):
                return current
            for name, value in values.items():
                setattr(current, name, value)
            _stamp(current, actor)
            current.save()
            return current
        current.is_current = False
        _stamp(current, actor)
        current.save(update_fields=["is_current"])
    registration = PaymentMethodRegistration(
        beneficiary=beneficiary, from_month=from_month, is_current=True, **values
    )
    _stamp(registration, actor)
    registration.save()
    return registration


# --- Account opening -------------------------------------------------------------------


def _lock_request(request: AccountOpeningRequest, *states: str) -> AccountOpeningRequest:
    request = (
        AccountOpeningRequest.objects.select_for_update(of=("self",))
        .select_related("person", "bank")
        .get(pk=request.pk)
    )
    if request.state not in states:
        raise RegistrationError(
            _("Đề nghị này đang ở trạng thái «%(state)s»: không thể thực hiện thao tác này.")
            % {"state": request.get_state_display()}
        )
    return request


@transaction.atomic
def request_account_opening(
    person: Person,
    *,
    beneficiary: Beneficiary | None = None,
    representative: Representative | None = None,
    bank: Bank | None = None,
    requested_on: datetime.date,
    form_reference: str = "",
    note: str = "",
    actor,
) -> AccountOpeningRequest:
    """Record that ``person`` wants an account opened, to be paid into it.

    Without ``beneficiary`` the account is for all of the person's own live
    enrolments; with a ``representative`` (the person receiving for someone)
    it is for that one enrolment of the person represented.
    """
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_open(person.commune, requested_on)
    if person.date_of_death is not None:
        raise RegistrationError(_("Người này đã mất: không thể đề nghị mở tài khoản."))
    if representative is not None:
        if beneficiary is None:
            raise RegistrationError(
                _("Chọn diện hưởng mà người nhận thay sẽ nhận vào tài khoản."),
                field="beneficiary",
            )
        if representative.person_id != person.pk:
            raise RegistrationError(
                _("Người mở tài khoản phải là người nhận thay đã chọn."), field="beneficiary"
            )
        _check_representative(representative, beneficiary.person, requested_on)
    elif beneficiary is not None and beneficiary.person_id != person.pk:
        raise RegistrationError(
            _("Diện hưởng này không phải của người mở tài khoản."), field="beneficiary"
        )
    if beneficiary is not None:
        _check_enrolment_live(beneficiary, requested_on.replace(day=1))
    if AccountOpeningRequest.objects.filter(
        person=person, state__in=AccountOpeningRequest.OPEN_STATES
    ).exists():
        raise RegistrationError(_("Người này đã có một đề nghị mở tài khoản đang xử lý."))
    request = AccountOpeningRequest(
        person=person,
        beneficiary=beneficiary,
        representative=representative,
        bank=bank,
        requested_on=requested_on,
        form_reference=form_reference.strip(),
        note=note.strip(),
        requested_by=_user(actor),
    )
    _stamp(request, actor)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # The partial unique constraint: another officer recorded one at the same moment.
        raise RegistrationError(_("Người này đã có một đề nghị mở tài khoản đang xử lý.")) from None
    return request


@transaction.atomic
def refer_to_bank(
    request: AccountOpeningRequest, *, bank: Bank, referred_on: datetime.date, actor
) -> AccountOpeningRequest:
    """The commune sends the person to ``bank`` with a referral on ``referred_on``."""
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    request = _lock_request(request, State.REQUESTED)
    if referred_on < request.requested_on:
        raise RegistrationError(
            _("Ngày giới thiệu không thể trước ngày đề nghị (%(day)s).")
            % {"day": f"{request.requested_on:%d/%m/%Y}"},
            field="referred_on",
        )
    request.state = State.REFERRED
    request.bank = bank
    request.referred_on = referred_on
    request.referred_by = _user(actor)
    _stamp(request, actor)
    request.save()
    return request


def _enrolments_to_register(request: AccountOpeningRequest) -> list[Beneficiary]:
    if request.beneficiary_id:
        return [request.beneficiary]
    return list(
        Beneficiary.objects.filter(person=request.person)
        .exclude(status=Beneficiary.Status.ENDED)
        .order_by("pk")
    )


@transaction.atomic
def record_account_opened(
    request: AccountOpeningRequest,
    *,
    number: str,
    holder_name: str,
    opened_on: datetime.date,
    from_month: datetime.date,
    actor,
) -> tuple[AccountOpeningRequest, list[PaymentMethodRegistration]]:
    """The bank opened the account: record it and register the enrolments that asked.

    Each enrolment is registered to be paid into the new account from
    ``from_month`` (the registration completes itself). An enrolment whose
    current registration already starts after ``from_month`` (the officer
    registered something newer meanwhile) is left as it is, not overridden.
    """
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    request = _lock_request(request, State.REFERRED)
    if opened_on < request.referred_on:
        raise RegistrationError(
            _("Ngày mở không thể trước ngày giới thiệu (%(day)s).")
            % {"day": f"{request.referred_on:%d/%m/%Y}"},
            field="opened_on",
        )
    account = PaymentAccount(
        holder=request.person,
        bank=request.bank,
        number=number,
        holder_name=holder_name or request.person.name_folded,
        opened_on=opened_on,
    )
    try:
        account = save_account(account, actor=actor)
    except AccountError as exc:
        raise RegistrationError(str(exc), field="number") from None
    registrations = []
    for beneficiary in _enrolments_to_register(request):
        try:
            _check_enrolment_live(beneficiary, max(from_month, beneficiary.start_month))
        except RegistrationError:
            # Died or ended since the request: the account is still recorded.
            continue
        newer = PaymentMethodRegistration.objects.filter(
            beneficiary=beneficiary, is_current=True, from_month__gt=from_month
        ).exists()
        if newer:
            continue
        registrations.append(
            register_payment_method(
                beneficiary,
                method=Method.ACCOUNT,
                from_month=max(from_month, beneficiary.start_month),
                representative=request.representative,
                account=account,
                requested_on=request.requested_on,
                form_reference=request.form_reference,
                actor=actor,
            )
        )
    request.state = State.OPENED
    request.account = account
    request.opened_on = opened_on
    request.opened_by = _user(actor)
    _stamp(request, actor)
    request.save()
    return request, registrations


@transaction.atomic
def abandon_account_opening(
    request: AccountOpeningRequest, *, reason: str, abandoned_on: datetime.date, actor
) -> AccountOpeningRequest:
    """The person no longer wants an account, or cannot open one: say why."""
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    request = _lock_request(request, State.REQUESTED, State.REFERRED)
    reason = reason.strip()
    if not reason:
        raise RegistrationError(_("Nêu lý do dừng mở tài khoản."), field="reason")
    if abandoned_on < request.requested_on:
        raise RegistrationError(
            _("Ngày dừng không thể trước ngày đề nghị (%(day)s).")
            % {"day": f"{request.requested_on:%d/%m/%Y}"},
            field="abandoned_on",
        )
    request.state = State.ABANDONED
    request.abandoned_on = abandoned_on
    request.abandon_reason = reason
    request.abandoned_by = _user(actor)
    _stamp(request, actor)
    request.save()
    return request


# --- Outreach --------------------------------------------------------------------------


@transaction.atomic
def save_outreach(activity: OutreachActivity, *, actor, today: datetime.date) -> OutreachActivity:
    """Create or update one outreach activity of a commune."""
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    _check_open(activity.commune, activity.date)
    if activity.village_id and activity.village.commune_id != activity.commune_id:
        raise RegistrationError(_("Thôn không thuộc xã này."), field="village")
    if activity.date > today:
        raise RegistrationError(_("Ngày hoạt động không thể ở tương lai."), field="date")
    if activity.people_reached is None or activity.people_reached <= 0:
        raise RegistrationError(_("Số người được tiếp cận phải lớn hơn 0."), field="people_reached")
    if activity.pk is None:
        activity.recorded_by = _user(actor)
    _stamp(activity, actor)
    activity.save()
    return activity
