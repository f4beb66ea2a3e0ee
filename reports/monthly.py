"""The monthly report of a commune: how it pays, how far from cash, and its lists.

One workbook per commune and month (``period``), in the official layout:

* **Tổng hợp** — per programme and payment method (account, cash at the post
  office, at home), the enrolments paid and the amounts; when the month's
  cycle deducts recoveries, the months' total, the deductions and what is sent
  (a line of the heading says them too). From the month's
  payment cycle when there is one (its state is named in the title lines),
  otherwise from the registry: the live enrolments of the month (as on the
  registration lists: started, not ended, not suspended, alive; a suspended
  one is not paid) with the entitlement and the registration in force
  in the month. An enrolment without a registration is counted on a row of
  its own. The document's totals row sums people and amounts; the rows
  reconcile with it by construction (one grouped query).
* **Tỷ lệ KDTM** — the cashless share per programme and overall: enrolments
  paid into an account over all enrolments, and the same by amount.
* **Chưa KDTM** — every enrolment not paid into an account and why: no
  account yet (an open account-opening request of the person), prefers cash,
  paid at home, no registration. Its rows are exactly the summary's
  non-account rows.
* **Xác thực** — the verification state counts
  (:func:`registration.quality.figures.verification_summary`).
* **Thay đổi** — the cycle's changes sheet, the one of its bank files
  (:func:`payments.cashlists.changes_sheet`), when a cycle exists.
* **Khiếu nại** — the open cases of payments not received (or not in full) of
  the commune's cycles up to the month (:func:`payments.checks.open_cases`),
  listed until the officer resolves them.
* **Thu hồi** — every recovery of the commune's enrolments detected up to the
  month and not yet fully taken back, and those taken back in full with a
  deduction or a repayment in the month: the figures of
  :func:`payments.services.recoveries.with_remaining` as the report is built.
* **Đối soát** — the reconciliation of the month's cycle
  (:func:`payments.reconciliation.reconcile`, the rows of its own sheet,
  :mod:`payments.reconciliationfile`), when a cycle exists.
* The registration lists (two per programme, less those nobody is on), rows
  from :mod:`registration.lists`' generator.

Everything is read with set-based queries and streamed (``iterator``) into the
shared writer in constant memory.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from amounts.queries import entitlement_in_force
from beneficiaries.models import Beneficiary, Commune, Programme, village_name_in
from core.db import whole_results_planned
from core.rules.money import format_amount
from core.rules.months import next_month
from documents.official import REPORT, addressees, official_document
from documents.xlsx import Column, Sheet, write_xlsx
from payments import reconciliationfile
from payments.bankexport import (
    DEDUCTED_HEADER,
    deduction_cells,
    deduction_totals,
    with_deductions,
)
from payments.cashlists import CHANGE_COLUMNS, changes_sheet, compared_line
from payments.checks import open_cases
from payments.filerules import months_label
from payments.models import (
    Payment,
    PaymentCycle,
    Recovery,
    RecoveryDeduction,
    RecoveryMonth,
    RecoverySettlement,
)
from payments.reconciliation import reconcile
from payments.services.recoveries import COUNTED, with_remaining
from registration import lists
from registration.listchanges import ChangeTracker
from registration.models import AccountOpeningRequest, PaymentMethodRegistration
from registration.quality.figures import verification_summary

ACCOUNT = PaymentMethodRegistration.Method.ACCOUNT
CASH = PaymentMethodRegistration.Method.CASH
HOME = PaymentMethodRegistration.Method.HOME
METHODS = (ACCOUNT, CASH, HOME)
# The methods' own names; the report names the post office for the paying office's reader.
METHOD_WORDS = {
    **{method: str(label) for method, label in PaymentMethodRegistration.Method.choices},
    CASH: f"{PaymentMethodRegistration.Method.CASH.label} (bưu điện)",
    None: "Chưa đăng ký hình thức nhận",
}
NO_ACCOUNT_YET = "Chưa có tài khoản (đang đề nghị mở)"
REASONS = {
    CASH: "Muốn nhận tiền mặt",
    HOME: "Nhận tại nhà",
    None: "Chưa đăng ký hình thức nhận",
}
CHUNK = 2000

SUMMARY_COLUMNS = (
    Column("STT", "int", 6),
    Column("Chương trình", "text", 28),
    Column("Hình thức nhận", "text", 34),
    Column("Số người", "money", 12),
    Column("Số tiền (đồng)", "money", 18),
)
SUMMARY_PEOPLE, SUMMARY_AMOUNT = 3, 4

SHARE_COLUMNS = (
    Column("Chương trình", "text", 28),
    Column("Tổng số người", "int", 12),
    Column("Số người nhận qua tài khoản", "int", 14),
    Column("Tỷ lệ theo số người (%)", "decimal", 12),
    Column("Tổng số tiền (đồng)", "money", 18),
    Column("Số tiền qua tài khoản (đồng)", "money", 18),
    Column("Tỷ lệ theo số tiền (%)", "decimal", 12),
)

NOT_CASHLESS_COLUMNS = (
    Column("STT", "int", 6),
    Column("Họ và tên", "text", 24),
    Column("Số CCCD", "id", 14),
    Column("Thôn", "text", 14),
    Column("Chương trình", "text", 14),
    Column("Hình thức nhận", "text", 30),
    Column("Số tiền (đồng)", "money", 14),
    Column("Lý do chưa nhận qua tài khoản", "text", 34),
)

CASE_COLUMNS = (
    Column("STT", "int", 6),
    Column("Họ và tên", "text", 24),
    Column("Số CCCD", "id", 14),
    Column("Thôn", "text", 14),
    Column("Kỳ chi trả", "text", 10),
    Column("Số tiền đã chi (đồng)", "money", 14),
    Column("Nội dung phản ánh", "text", 36),
    Column("Ngày mở", "date", 12),
)

RECOVERY_COLUMNS = (
    Column("STT", "int", 6),
    Column("Họ và tên", "text", 22),
    Column("Số CCCD", "id", 14),
    Column("Thôn", "text", 12),
    Column("Lý do thu hồi", "text", 22),
    Column("Các tháng", "text", 13),
    Column("Số tiền phải thu hồi (đồng)", "money", 13),
    Column(DEDUCTED_HEADER, "money", 13),
    Column("Đã nộp lại, miễn (đồng)", "money", 12),
    Column("Còn phải thu hồi (đồng)", "money", 13),
    Column("Quyết định thu hồi", "text", 16),
    Column("Số ngày", "int", 8),
)
RECOVERY_AMOUNT, RECOVERY_DEDUCTED, RECOVERY_SETTLED, RECOVERY_LEFT = 6, 7, 8, 9
NO_RECOVERY = "Không có khoản thu hồi."

VERIFICATION_COLUMNS = (
    Column("STT", "int", 6),
    Column("Trạng thái xác thực", "text", 40),
    Column("Số người", "int", 12),
)


LIST_SHEET_WORDS = {lists.SELF: "tự nhận", lists.REPRESENTATIVE: "nhận thay"}


@dataclass
class ReportFigures:
    """What the generated file records: the enrolments counted and the amount."""

    rows: int = 0
    total: int = 0  # what the month's payments send (net of the deductions)
    deducted: int = 0  # taken from them for recoveries
    cycle_id: int | None = None
    account_people: int = 0
    account_amount: int = 0
    not_cashless: dict[str, int] = field(default_factory=dict)


def report_title(period: datetime.date) -> str:
    return f"BÁO CÁO TÌNH HÌNH CHI TRẢ TRỢ CẤP, TRỢ GIÚP XÃ HỘI THÁNG {period:%m/%Y}"


def annex(
    commune: Commune,
    number: int,
    title: str,
    period: datetime.date,
    dated: datetime.date,
    *more: str,
):
    """A sheet of the report after the first: its own heading, as an annex of the report."""
    return official_document(
        commune,
        title=f"PHỤ LỤC {number}\n{title}",
        summary_lines=[
            f"(Kèm theo Báo cáo tình hình chi trả tháng {period:%m/%Y} "
            f"của {commune.issuing_body.strip()})",
            *more,
        ],
        dated=dated,
        symbol=REPORT,
        signed=False,
    )


def month_cycle(commune: Commune, period: datetime.date) -> PaymentCycle | None:
    return PaymentCycle.objects.filter(commune=commune, period=period).first()


def registry_enrolments(commune: Commune, period: datetime.date) -> QuerySet[Beneficiary]:
    """The enrolments paid in the month by the registry: live and not suspended (as
    on the lists), with the method and amount in force in the month."""
    current = PaymentMethodRegistration.objects.in_force_for(OuterRef("pk"), period)
    return (
        Beneficiary.objects.of_commune_in(commune, period)
        .filter(start_month__lte=period, person__date_of_death__isnull=True)
        .exclude(status__in=[Beneficiary.Status.ENDED, Beneficiary.Status.SUSPENDED])
        .filter(Q(end_month__isnull=True) | Q(end_month__gt=period))
        .annotate(
            pay_method=Subquery(current.values("method")),
            pay_amount=Coalesce(
                Subquery(entitlement_in_force(period).values("amount")[:1]),
                Value(0),
                output_field=IntegerField(),
            ),
        )
    )


def _open_request(person_ref: str) -> Exists:
    return Exists(
        AccountOpeningRequest.objects.filter(
            person=OuterRef(person_ref), state__in=AccountOpeningRequest.OPEN_STATES
        )
    )


def _source(commune: Commune, period: datetime.date, cycle: PaymentCycle | None):
    """(queryset, prefix to the enrolment, method field, amount field) of the month."""
    if cycle is not None:
        return Payment.objects.filter(cycle=cycle), "beneficiary__", "method", "amount"
    return registry_enrolments(commune, period), "", "pay_method", "pay_amount"


def summary_rows(
    commune: Commune, period: datetime.date, cycle: PaymentCycle | None
) -> list[dict[str, Any]]:
    """Per programme and method: ``programme_id``, ``method``, ``people``, ``amount``
    (sent) and ``deducted`` (for recoveries; 0 without a cycle), in one grouped query;
    programmes and methods in their order, empty ones left out."""
    qs, prefix, method, amount = _source(commune, period, cycle)
    deducted = Coalesce(Sum("deducted"), Value(0)) if cycle is not None else Value(0)
    grouped = (
        qs.values(prog=F(f"{prefix}programme_id"), how=F(method))
        .annotate(people=Count("pk"), money=Coalesce(Sum(amount), Value(0)), taken=deducted)
        .order_by()
    )
    programme_order = {
        pk: i
        for i, pk in enumerate(
            Programme.objects.order_by("order", "code").values_list("pk", flat=True)
        )
    }
    method_order = {m: i for i, m in enumerate((*METHODS, None))}
    rows = [
        {
            "programme_id": r["prog"],
            "method": r["how"],
            "people": r["people"],
            "amount": int(r["money"]),
            "deducted": int(r["taken"]),
        }
        for r in grouped
    ]
    return sorted(
        rows,
        key=lambda r: (
            programme_order.get(r["programme_id"], 99),
            method_order.get(r["method"], 9),
        ),
    )


def not_cashless_values(commune: Commune, period: datetime.date, cycle: PaymentCycle | None):
    """The enrolments not paid into an account, with whether the person asked for one."""
    qs, prefix, method, amount = _source(commune, period, cycle)
    return (
        qs.filter(~Q(**{method: ACCOUNT}) | Q(**{f"{method}__isnull": True}))
        .annotate(
            asked=_open_request(f"{prefix}person_id"),
            registered=Exists(
                PaymentMethodRegistration.objects.in_force_for(
                    OuterRef("beneficiary_id" if prefix else "pk"), period
                )
            ),
        )
        .annotate(village_then=village_name_in(commune, period, f"{prefix}person__village"))
        .order_by(f"{prefix}person__sort_name", f"{prefix}person_id", "pk")
        .values_list(
            f"{prefix}person__full_name",
            f"{prefix}person__personal_id",
            "village_then",
            f"{prefix}programme__short_name",
            method,
            amount,
            "registered",
            "asked",
        )
    )


def reason(method: str | None, registered: bool, asked: bool) -> str:
    """Why an enrolment is not paid into an account: an open account request first,
    then no registration in force (a cycle pays those in cash), then the method."""
    if asked:
        return NO_ACCOUNT_YET
    if not registered or method is None:
        return REASONS[None]
    return REASONS[method]


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _words(share: Decimal | None) -> str:
    return "—" if share is None else f"{share}%".replace(".", ",")


def _staged(rows: Iterable, step: Callable[[], None] | None) -> Iterator:
    """Report progress when the writer starts a sheet (its rows are read lazily)."""
    if step is not None:
        step()
    yield from rows


def write_monthly_report(
    target: str | IO[bytes],
    *,
    commune: Commune,
    period: datetime.date,
    dated: datetime.date,
    progress: Callable[[int], None] | None = None,
) -> ReportFigures:
    """Write the report of ``commune`` for ``period`` to ``target``; returns its figures."""
    # A programme not yet existing in the month has no line, sheet nor addressee.
    programmes = list(Programme.objects.running_in(period).order_by("order", "code"))
    names = {p.pk: p.name for p in programmes}
    cycle = month_cycle(commune, period)
    figures = ReportFigures(cycle_id=cycle.pk if cycle else None)

    grouped = summary_rows(commune, period, cycle)
    figures.rows = sum(r["people"] for r in grouped)
    figures.total = sum(r["amount"] for r in grouped)
    figures.deducted = sum(r["deducted"] for r in grouped)
    figures.account_people = sum(r["people"] for r in grouped if r["method"] == ACCOUNT)
    figures.account_amount = sum(r["amount"] for r in grouped if r["method"] == ACCOUNT)

    stages = 7 + 2 * len(programmes)
    counter = {"done": 0}

    def step() -> None:
        counter["done"] += 1
        if progress is not None:
            progress(min(95, (counter["done"] - 1) * 95 // stages))

    if cycle is not None:
        source = (
            f"Số liệu theo kỳ chi trả tháng {period:%m/%Y} "
            f"(trạng thái: {cycle.get_status_display()}, "
            f"{cycle.payment_count} người, hạn gửi {cycle.due_on:%d/%m/%Y})"
        )
    else:
        source = (
            f"Chưa có kỳ chi trả tháng {period:%m/%Y}: số liệu theo sổ đối tượng "
            "(mức hưởng và hình thức nhận có hiệu lực trong tháng)"
        )
    share_line = (
        "Tỷ lệ nhận qua tài khoản: "
        f"{_words(_percent(figures.account_people, figures.rows))} số người, "
        f"{_words(_percent(figures.account_amount, figures.total))} số tiền"
    )
    deductions = figures.deducted > 0
    summary_lines = [source, share_line]
    if deductions:
        taken = _deducted_count(cycle)
        summary_lines.append(
            f"Tổng các tháng được hưởng {format_amount(figures.total + figures.deducted)}"
            f" = số tiền chi trả {format_amount(figures.total)}"
            f" + khấu trừ thu hồi {format_amount(figures.deducted)} ({taken} khoản)"
        )
    summary = Sheet(
        name="Tổng hợp",
        columns=(
            with_deductions(SUMMARY_COLUMNS, SUMMARY_AMOUNT) if deductions else SUMMARY_COLUMNS
        ),
        rows=_staged(
            (
                [
                    n,
                    names.get(r["programme_id"], ""),
                    METHOD_WORDS[r["method"]],
                    r["people"],
                    *(deduction_cells(r["amount"], r["deducted"]) if deductions else [r["amount"]]),
                ]
                for n, r in enumerate(grouped, start=1)
            ),
            step,
        ),
        document=official_document(
            commune,
            title=report_title(period),
            summary_lines=summary_lines,
            dated=dated,
            total_columns=(
                (*deduction_totals(SUMMARY_AMOUNT), SUMMARY_PEOPLE)
                if deductions
                else (SUMMARY_AMOUNT, SUMMARY_PEOPLE)
            ),
            symbol=REPORT,
            addressees=addressees(commune, programmes, period),
        ),
    )

    def share_rows() -> Iterator[list[Any]]:
        for programme in programmes:
            rows = [r for r in grouped if r["programme_id"] == programme.pk]
            if not rows:
                continue
            yield _share_row(programme.name, rows)
        yield _share_row("Chung toàn xã", grouped)

    shares = Sheet(
        name="Tỷ lệ KDTM",
        columns=SHARE_COLUMNS,
        rows=_staged(share_rows(), step),
        document=annex(
            commune, 1, f"TỶ LỆ CHI TRẢ KHÔNG DÙNG TIỀN MẶT THÁNG {period:%m/%Y}", period, dated
        ),
    )

    reasons: dict[str, int] = {}

    def not_cashless_rows() -> Iterator[list[Any]]:
        values = not_cashless_values(commune, period, cycle).iterator(chunk_size=CHUNK)
        for number, row in enumerate(values, start=1):
            name, personal_id, village, programme, method, amount, registered, asked = row
            why = reason(method, registered, asked)
            reasons[why] = reasons.get(why, 0) + 1
            yield [number, name, personal_id, village, programme, METHOD_WORDS[method], amount, why]

    not_cashless = Sheet(
        name="Chưa KDTM",
        columns=NOT_CASHLESS_COLUMNS,
        rows=_staged(not_cashless_rows(), step),
        document=annex(
            commune,
            2,
            f"NGƯỜI CHƯA NHẬN QUA TÀI KHOẢN THÁNG {period:%m/%Y} VÀ LÝ DO",
            period,
            dated,
            f"{figures.rows - figures.account_people} người",
        ),
    )

    summary_states = verification_summary(commune, period)
    verification = Sheet(
        name="Xác thực",
        columns=VERIFICATION_COLUMNS,
        rows=_staged(
            ([n, str(s["label"]), s["count"]] for n, s in enumerate(summary_states, start=1)),
            step,
        ),
        document=annex(
            commune,
            3,
            "TÌNH TRẠNG XÁC THỰC VỚI CƠ SỞ DỮ LIỆU QUỐC GIA VỀ DÂN CƯ",
            period,
            dated,
            f"{sum(s['count'] for s in summary_states)} người (đối tượng và người nhận thay)",
        ),
    )

    if cycle is not None:
        # The same sheet as in the cycle's bank files: one rule for "what changed".
        cycle_sheet = changes_sheet(cycle, dated=dated)
        changes = dataclasses.replace(
            cycle_sheet,
            rows=_staged(cycle_sheet.rows, step),
            document=annex(
                commune,
                4,
                "THAY ĐỔI SO VỚI KỲ CHI TRẢ TRƯỚC",
                period,
                dated,
                compared_line(cycle),
            ),
        )
    else:
        changes = Sheet(
            name="Thay đổi",
            columns=CHANGE_COLUMNS,
            rows=(),
            document=annex(
                commune,
                4,
                "THAY ĐỔI SO VỚI KỲ CHI TRẢ TRƯỚC",
                period,
                dated,
                f"Chưa có kỳ chi trả tháng {period:%m/%Y}: chưa có thay đổi để báo cáo.",
            ),
        )

    cases = open_cases([commune.pk]).filter(payment__cycle__period__lte=period)
    case_count = cases.count()

    def case_rows() -> Iterator[list[Any]]:
        values = (
            cases.select_related("person", "payment__cycle", "opened_from")
            .annotate(village_name=village_name_in(commune, period))
            .iterator(chunk_size=CHUNK)
        )
        for number, case in enumerate(values, start=1):
            check = case.opened_from
            said = str(check.get_outcome_display())
            if check.amount_stated is not None:
                said += f", nói đã nhận {format_amount(check.amount_stated)}"
            if check.note:
                said += f": {check.note}"
            yield [
                number,
                case.person.full_name,
                case.person.personal_id,
                case.village_name or "",
                f"{case.payment.cycle.period:%m/%Y}",
                case.payment.amount,
                f"{case.get_source_display()} — {said}",
                timezone.localtime(case.opened_at).date(),
            ]

    complaints = Sheet(
        name="Khiếu nại",
        columns=CASE_COLUMNS,
        rows=_staged(case_rows(), step),
        document=annex(
            commune,
            5,
            "KHIẾU NẠI CHƯA NHẬN TIỀN ĐANG XỬ LÝ",
            period,
            dated,
            f"{case_count} khiếu nại đang xử lý"
            if case_count
            else "Không có khiếu nại chưa nhận tiền nào đang xử lý.",
        ),
    )

    recovered = recoveries_sheet(commune, period, dated, step)
    # The cycle's reconciliation, the figures of its page and its own sheet.
    if cycle is not None:
        rec = reconcile(cycle)
        rec_rows = reconciliationfile.reconciliation_rows(rec)
        more = reconciliationfile.summary_lines(rec)
    else:
        rec_rows = iter(())
        more = [f"Chưa có kỳ chi trả tháng {period:%m/%Y}: chưa có số liệu để đối soát."]
    reconciliation = Sheet(
        name=reconciliationfile.SHEET_NAME,
        columns=reconciliationfile.COLUMNS,
        rows=_staged(rec_rows, step),
        document=annex(
            commune, 7, reconciliationfile.reconciliation_title(period), period, dated, *more
        ),
    )

    list_sheets = []
    on_lists = lists.list_counts(commune, period)
    for programme in programmes:
        for kind in (lists.SELF, lists.REPRESENTATIVE):
            if not on_lists.get((programme.pk, kind)):
                continue  # a list nobody is on: no sheet to sign, as no file
            values = lists.list_values(commune, programme, kind, period).iterator(chunk_size=CHUNK)
            rows = lists._rows(
                values,
                kind,
                period,
                figures=lists.ListFigures(),
                tracker=ChangeTracker(None),
                snapshot=None,
                progress=None,
            )
            list_sheets.append(
                Sheet(
                    name=f"DS {programme.code} {LIST_SHEET_WORDS[kind]}",
                    columns=lists.list_columns(commune, programme, kind),
                    rows=_staged(rows, step),
                    document=lists.list_document(commune, programme, kind, period, dated),
                )
            )

    with whole_results_planned():
        write_xlsx(
            target,
            [
                summary,
                shares,
                not_cashless,
                verification,
                changes,
                complaints,
                recovered,
                reconciliation,
                *list_sheets,
            ],
        )
    figures.not_cashless = reasons
    return figures


def _share_row(label: str, rows: list[dict[str, Any]]) -> list[Any]:
    people = sum(r["people"] for r in rows)
    amount = sum(r["amount"] for r in rows)
    account_people = sum(r["people"] for r in rows if r["method"] == ACCOUNT)
    account_amount = sum(r["amount"] for r in rows if r["method"] == ACCOUNT)
    return [
        label,
        people,
        account_people,
        _percent(account_people, people),
        amount,
        account_amount,
        _percent(account_amount, amount),
    ]


def _deducted_count(cycle: PaymentCycle | None) -> int:
    """How many of the cycle's payments a deduction for a recovery took from."""
    if cycle is None:
        return 0
    return Payment.objects.filter(cycle=cycle, deducted__gt=0).count()


def report_recoveries(commune: Commune, period: datetime.date) -> QuerySet[Recovery]:
    """The recoveries the report lists, with ``deducted``, ``settled`` and ``left``
    (:func:`~payments.services.recoveries.with_remaining`): those of the commune's
    enrolments of the month detected before the month's end or deducted by the
    month's cycle, that still have something to take back, or were taken back in full
    in the month (a deduction of the month's cycle, a repayment or waiver dated in it).
    """
    end = next_month(period)
    detected_by = timezone.make_aware(datetime.datetime.combine(end, datetime.time()))
    deducted_now = Exists(
        RecoveryDeduction.objects.filter(
            recovery=OuterRef("pk"), payment__cycle__period=period, payment__status__in=COUNTED
        )
    )
    settled_now = Exists(
        RecoverySettlement.objects.filter(recovery=OuterRef("pk"), on__gte=period, on__lt=end)
    )
    return (
        with_remaining(
            Recovery.objects.filter(
                Q(created_at__lt=detected_by) | deducted_now,
                beneficiary__in=Beneficiary.objects.of_commune_in(commune, period),
                amount__gt=0,
            )
        )
        .filter(Q(left__gt=0) | (Q(left=0) & (deducted_now | settled_now)))
        .order_by("beneficiary__person__sort_name", "created_at", "pk")
    )


def _decision(recovery: Recovery) -> str:
    if not recovery.decision_number:
        return "Chưa có quyết định"
    if recovery.decision_date is None:
        return recovery.decision_number
    return f"{recovery.decision_number} ngày {recovery.decision_date:%d/%m/%Y}"


def _cause(recovery: Recovery) -> str:
    """The cause; after a death, from whom the money comes back when not the person."""
    cause = str(recovery.get_cause_display())
    if recovery.recover_from and recovery.recover_from != recovery.beneficiary.person.full_name:
        cause += f" (thu hồi từ {recovery.recover_from})"
    return cause


def recoveries_sheet(
    commune: Commune,
    period: datetime.date,
    dated: datetime.date,
    step: Callable[[], None] | None = None,
) -> Sheet:
    """Annex 6, *Thu hồi*: :func:`report_recoveries` with their months, figures, decision
    and age in days on the report's date; a line saying none when there is none."""
    recoveries = report_recoveries(commune, period)
    # A commune's recoveries are a few: their figures, for the heading, in one query.
    figures = [(int(a), int(left)) for a, left in recoveries.values_list("amount", "left")]
    count = len(figures)
    totals = {"amount": sum(a for a, _l in figures), "left": sum(left for _a, left in figures)}

    def rows() -> Iterator[list[Any]]:
        # Each listed recovery's months, in one query (a few months each).
        months: dict[int, list[datetime.date]] = {}
        for recovery_id, month in (
            RecoveryMonth.objects.filter(recovery__in=recoveries.values("pk"))
            .order_by("recovery_id", "month")
            .values_list("recovery_id", "month")
        ):
            months.setdefault(recovery_id, []).append(month)
        values = (
            recoveries.select_related("beneficiary__person")
            .annotate(village_name=village_name_in(commune, period, "beneficiary__person__village"))
            .iterator(chunk_size=CHUNK)
        )
        for number, recovery in enumerate(values, start=1):
            person = recovery.beneficiary.person
            yield [
                number,
                person.full_name,
                person.personal_id,
                recovery.village_name or "",
                _cause(recovery),
                months_label((month, "regular") for month in months.get(recovery.pk, [])),
                recovery.amount,
                int(recovery.deducted),
                int(recovery.settled),
                int(recovery.left),
                _decision(recovery),
                max(0, (dated - timezone.localtime(recovery.created_at).date()).days),
            ]

    return Sheet(
        name="Thu hồi",
        columns=RECOVERY_COLUMNS,
        rows=_staged(rows(), step),
        document=dataclasses.replace(
            annex(
                commune,
                6,
                "CÁC KHOẢN CHI TRẢ SAI PHẢI THU HỒI",
                period,
                dated,
                (
                    f"{count} khoản, phải thu hồi {format_amount(int(totals['amount']))}, "
                    f"còn phải thu hồi {format_amount(int(totals['left']))}"
                )
                if count
                else NO_RECOVERY,
            ),
            total_columns=(
                (RECOVERY_LEFT, RECOVERY_AMOUNT, RECOVERY_DEDUCTED, RECOVERY_SETTLED)
                if count
                else ()
            ),
        ),
    )
