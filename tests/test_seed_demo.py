"""seed_demo: the demo's months up to today, the merger into Xã Hà Trung, its users;
idempotent in the same month, incremental a month later.

The full demo is seeded once for the module (about a minute), inside a
transaction rolled back at the end; each test runs in a savepoint of it, so a
test that seeds again (the same month, or later months) leaves it as it was.
"""

from __future__ import annotations

import datetime
from collections import Counter

import openpyxl
import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import get_history_model_for_model

from accounts.models import PaymentAccount
from amounts.models import Entitlement
from beneficiaries.access import communes_for
from beneficiaries.deadlines import DeadlineBook
from beneficiaries.models import (
    Beneficiary,
    Commune,
    EnrolmentCommunePeriod,
    EnrolmentCondition,
    IdentityCheck,
    Person,
    Representative,
    Village,
)
from core import roles
from demo.payments import LATE_CYCLES
from demo.recoveries import LOWERED_BY
from demo.seed import DEMO_PASSWORD, DEMO_USERS, DEMO_VILLAGES, OTHER_VILLAGES, seed_demo
from demo.sending import LATE_LISTS, LATE_REPORTS
from demo.timeline import FIRST_MONTH, MERGED_ON
from documents.access import visible_files
from documents.models import Event, GeneratedFile
from payments.models import Payment, PaymentCycle, PaymentMonth, Recovery, RecoveryDeduction
from payments.services.cycles import cycle_blockers
from registration import listfiles
from registration.listfiles import ListBlocked
from registration.models import (
    AccountOpeningRequest,
    OutreachActivity,
    PaymentMethodRegistration,
    ProgrammeTransfer,
    ProgrammeTransferLine,
)
from reports import dashboard
from reports.deadlines import month_states, sent_late
from tests.conftest import fixed_moment, local_moment

TODAY = fixed_moment().date()
THIS_MONTH = TODAY.replace(day=1)
JUNE = datetime.date(2025, 6, 1)

MODELS = (
    Commune, Village, Person, Beneficiary, Representative, PaymentAccount,
    PaymentMethodRegistration, Entitlement, IdentityCheck, EnrolmentCondition,
    EnrolmentCommunePeriod, PaymentCycle, Payment, PaymentMonth, GeneratedFile,
    ProgrammeTransfer, ProgrammeTransferLine, AccountOpeningRequest, OutreachActivity,
)  # fmt: skip


def _counts() -> dict[str, int]:
    counts = {m.__name__: m.objects.count() for m in (*MODELS, User, Event)}
    for model in MODELS:
        if hasattr(model, "history"):  # django-simple-history's manager
            history = get_history_model_for_model(model)
            counts[f"history {model.__name__}"] = history.objects.count()
    return counts


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, _media_root):
    """The demo seeded at the test clock, once for the module, rolled back after it."""
    from desk.reference import load_reference_data
    from payments.models import Month

    with (
        django_db_blocker.unblock(),
        time_machine.travel(fixed_moment(), tick=True),
        override_settings(
            MEDIA_ROOT=str(_media_root),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            if not Month.objects.exists():
                Month.objects.bulk_create(
                    Month(month=datetime.date(y, m, 1))
                    for y in range(2000, 2101)
                    for m in range(1, 13)
                )
            load_reference_data()
            yield seed_demo()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _commune(code: str) -> Commune:
    return Commune.objects.get(code=code)


# --- what the demo holds -------------------------------------------------------------


def test_the_demo_generates_yen_son_and_ha_binh_and_merges_them_into_ha_trung(demo, db):
    yen_son, ha_binh, ha_trung = _commune("15307"), _commune("15280"), _commune("15271")
    assert demo.generated and demo.commune == ha_trung
    assert yen_son.name == "Yến Sơn" and yen_son.issuing_body == "ỦY BAN NHÂN DÂN XÃ YẾN SƠN"
    assert (yen_son.merged_into, yen_son.merged_on) == (ha_trung, MERGED_ON)
    assert (ha_binh.merged_into, ha_binh.merged_on) == (ha_trung, MERGED_ON)
    assert ha_trung.issuing_body == "ỦY BAN NHÂN DÂN XÃ HÀ TRUNG"
    assert ha_trung.place_name == "Hà Trung" and ha_trung.leader_name
    # Every village moved; the names both old communes had are told apart.
    names = set(ha_trung.villages.values_list("name", flat=True))
    clashing = set(DEMO_VILLAGES) & set(OTHER_VILLAGES)
    assert clashing and not clashing & names
    assert {f"{name} (Yến Sơn)" for name in clashing} <= names
    assert len(names) == len(set(DEMO_VILLAGES) | set(OTHER_VILLAGES)) + len(clashing)
    assert not Person.objects.filter(commune__in=[yen_son, ha_binh]).exists()
    # 200 enrolments generated in Yến Sơn and 100 in Hà Bình, with the months they held.
    periods = Counter(
        EnrolmentCommunePeriod.objects.values_list("commune__code", flat=True).order_by()
    )
    assert (periods["15307"], periods["15280"]) == (200, 100)


def test_every_past_month_is_closed_and_this_month_is_a_draft(demo, db):
    cycles = PaymentCycle.objects.select_related("commune").order_by("period", "commune__code")
    by_commune: dict[str, list] = {}
    for cycle in cycles:
        by_commune.setdefault(cycle.commune.code, []).append((cycle.period, cycle.status))
    before, after = _months(FIRST_MONTH, JUNE), _months(MERGED_ON, THIS_MONTH)
    assert by_commune["15307"] == [(m, "closed") for m in before]
    assert by_commune["15280"] == [(m, "closed") for m in before]
    assert by_commune["15271"] == [(m, "closed") for m in after[:-1]] + [(THIS_MONTH, "draft")]
    assert len(after) >= 12
    for cycle in cycles.exclude(status="draft"):
        assert cycle.approved_by.username == "chutich" and cycle.closed_by.username == "canbo"
        assert not cycle.payments.filter(status=Payment.Status.PENDING).exists()
        assert cycle.submitted_late == (cycle.period in LATE_CYCLES)
        assert cycle.closed_at.date() < TODAY


def test_most_payments_are_paid_and_the_unsuccessful_ones_are_paid_again_next_month(demo, db):
    statuses = Counter(
        Payment.objects.filter(cycle__status="closed").values_list("status", flat=True)
    )
    assert statuses["paid"] > 20 * (statuses["failed"] + statuses["returned"])
    assert statuses["failed"] > 0 and statuses["returned"] > 0
    failed = Payment.objects.filter(
        status="failed",
        cycle__commune__code="15271",
        cycle__period__lt=THIS_MONTH.replace(month=11),
    ).first()
    again = PaymentMonth.objects.filter(
        beneficiary=failed.beneficiary,
        month=failed.cycle.period,
        live=True,
        payment__cycle__period__gt=failed.cycle.period,
    )
    assert again.exists()


def test_no_month_is_paid_twice_across_yen_son_and_ha_trung(demo, db):
    twice = (
        PaymentMonth.objects.filter(live=True)
        .values("beneficiary", "month", "kind")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not twice.exists()
    # A Yến Sơn enrolment paid all along: June by Yến Sơn's cycle, July by Hà Trung's.
    lines = dict(
        PaymentMonth.objects.filter(
            live=True,
            month__in=[JUNE, MERGED_ON],
            beneficiary__commune_periods__commune__code="15307",
        ).values_list("month", "payment__cycle__commune__code")
    )
    assert lines == {JUNE: "15307", MERGED_ON: "15271"}


def test_past_lists_and_reports_were_sent_and_only_the_planted_ones_late(demo, db):
    book = DeadlineBook()
    sent = GeneratedFile.objects.filter(sent_at__isnull=False).select_related("commune")
    months = set(sent.values_list("commune__code", "period", "kind"))
    for code, period in [
        ("15307", JUNE),
        ("15271", MERGED_ON),
        ("15271", THIS_MONTH.replace(month=11)),
    ]:
        assert (code, period, "monthly_report") in months
        assert (code, period, "registration_self") in months
    late = set()
    for generated in sent:
        deadline = book.commune_due(generated.commune_id, generated.period)
        if sent_late(generated, deadline):
            late.add((generated.commune.code, generated.period, generated.kind))
    planted = {(c, p, k) for c, p in LATE_LISTS for k in GeneratedFile.REGISTRATION_KINDS} | {
        (c, p, "monthly_report") for c, p, _k in months if p in LATE_REPORTS
    }
    assert late == {x for x in planted if x in months}
    assert late


def _title_cells(generated: GeneratedFile) -> str:
    with generated.file.open("rb") as handle:
        sheet = openpyxl.load_workbook(handle, read_only=True).worksheets[0]
        return " ".join(
            str(v) for row in sheet.iter_rows(max_row=8, values_only=True) for v in row if v
        )


def test_lists_of_june_2025_are_yen_sons_and_this_months_are_ha_trungs(demo, db):
    june = GeneratedFile.objects.get(
        commune__code="15307", period=JUNE, kind="registration_self", programme__code="NCC"
    )
    assert "XÃ YẾN SƠN" in _title_cells(june)
    now = GeneratedFile.objects.filter(
        commune__code="15271", period=THIS_MONTH, kind="registration_self", status="done"
    ).first()
    assert "XÃ HÀ TRUNG" in _title_cells(now)


def test_every_sent_list_of_the_demo_was_approved_by_the_leader_first(demo, db):
    sent = GeneratedFile.objects.filter(kind__in=listfiles.LIST_KINDS, sent_at__isnull=False)
    assert sent.exists()
    assert set(sent.values_list("approved_by__username", flat=True)) == {"chutich"}
    assert all(f.approved_at < f.sent_at for f in sent)


def test_this_months_lists_are_sent_unless_the_planted_blockers_hold_them(demo, db):
    """On the 3rd the officer sent what the gate let through; the rest is held by
    this month's planted blockers, and only those programmes are late."""
    officer = User.objects.get(username="canbo")
    held_programmes, sent_programmes = set(), set()
    this_months = GeneratedFile.objects.filter(
        commune__code="15271", period=THIS_MONTH, kind__in=listfiles.LIST_KINDS, status="done"
    ).select_related("programme")
    assert this_months.exists()
    for generated in this_months:
        if generated.sent_at is not None:
            assert timezone.localdate(generated.sent_at) == THIS_MONTH.replace(day=3)
            sent_programmes.add(generated.programme.short_name)
            continue
        with pytest.raises(ListBlocked):
            listfiles.mark_sent(generated, actor=officer)
        held_programmes.add(generated.programme.short_name)
    assert held_programmes, "the planted blockers hold at least one list"
    states = month_states(Commune.objects.get(code="15271"), today=TODAY)
    late = {s.deadline.programme_name for s in states if s.overdue}
    assert late == (held_programmes if TODAY.day > 5 else set())
    assert {
        s.deadline.programme_name for s in states if s.sent
    } == sent_programmes - held_programmes
    # A merged commune has no deadline of its own any more.
    assert month_states(Commune.objects.get(code="15307"), today=TODAY) == []


def test_this_months_draft_shows_the_blockers_planted_on_purpose(demo, db):
    draft = PaymentCycle.objects.get(commune__code="15271", period=THIS_MONTH)
    reasons = " ".join(r for b in cycle_blockers(draft, today=TODAY) for r in b.reasons)
    assert "cần xác thực lại" in reasons
    assert "cần thôi hưởng" in reasons
    assert "Tên chủ tài khoản" in reasons
    assert draft.payment_count > 250


def test_two_changes_recorded_late_leave_a_recovery_each_with_the_exact_amounts(demo, db, client):
    ha_trung = _commune("15271")
    last = (THIS_MONTH - datetime.timedelta(days=1)).replace(day=1)
    months = [(last - datetime.timedelta(days=1)).replace(day=1), last]
    recoveries = {
        r.cause: r
        for r in Recovery.objects.filter(beneficiary__commune=ha_trung).select_related(
            "beneficiary__person"
        )
    }
    assert set(recoveries) == {Recovery.Cause.DEATH, Recovery.Cause.AMOUNT}
    # A death reported late: the two months paid since, to recover from the receiver.
    death = recoveries[Recovery.Cause.DEATH]
    dead = death.beneficiary
    assert dead.person.date_of_death < months[0] and dead.status == Beneficiary.Status.ENDED
    paid = {
        month: amount
        for month, amount in PaymentMonth.objects.filter(
            beneficiary=dead, month__in=months, live=True
        ).values_list("month", "amount")
    }
    assert list(death.months.values_list("month", "amount")) == sorted(paid.items())
    assert death.amount == sum(paid.values()) > 0
    receiver = Payment.objects.get(beneficiary=dead, cycle__period=last)
    assert receiver.representative_id and death.recover_from == receiver.receiver_name
    assert death.recover_from != dead.person.full_name
    assert not RecoveryDeduction.objects.filter(recovery=death).exists()
    assert not Payment.objects.filter(beneficiary=dead, cycle__period=THIS_MONTH).exists()
    # An amount lowered back-dated: twice the reduction, taken from this month's payment.
    lowered = recoveries[Recovery.Cause.AMOUNT]
    assert lowered.amount == 2 * LOWERED_BY
    assert list(lowered.months.values_list("month", "amount")) == [(m, LOWERED_BY) for m in months]
    payment = Payment.objects.get(beneficiary=lowered.beneficiary, cycle__period=THIS_MONTH)
    assert payment.deducted == 2 * LOWERED_BY
    assert lowered.deductions.get().payment == payment
    # On the officer's page: the death's still to recover, the other deducted.
    client.force_login(User.objects.get(username="canbo"))
    page = client.get(reverse("recovery_list"), {"xa": ha_trung.pk})
    assert [r.pk for r in page.context["page"]] == [death.pk]  # still to recover
    assert death.recover_from in page.content.decode()
    every = client.get(reverse("recovery_list"), {"xa": ha_trung.pk, "hien": "tat-ca"})
    rows = {r.pk: r for r in every.context["page"]}
    assert rows[death.pk].left == death.amount and rows[lowered.pk].left == 0
    assert rows[lowered.pk].state == "Đã khấu trừ hết"


def test_huu_tri_xa_hoi_starts_in_july_2025_with_declared_conditions(demo, db):
    htxh = Beneficiary.objects.filter(programme__code="HTXH")
    assert set(htxh.values_list("start_month", flat=True)) == {MERGED_ON}
    assert set(htxh.values_list("commune__code", flat=True)) == {"15271"}
    assert htxh.filter(category__code="HTXH_70_NGHEO").count() == 2
    for enrolment in htxh.select_related("person"):
        kinds = set(enrolment.person.conditions.values_list("kind", flat=True))
        assert "no_pension" in kinds
    transfer = ProgrammeTransfer.objects.get(commune__code="15271", month=MERGED_ON)
    assert transfer.status == "approved"
    assert transfer.lines.filter(moves=True).count() > 10
    assert transfer.lines.filter(moves=False).exists()
    moved = Beneficiary.objects.filter(category__code="BTXH_K5C", end_month=MERGED_ON)
    assert moved.count() == transfer.lines.filter(moves=True).count()
    july = Payment.objects.filter(
        cycle__period=MERGED_ON, beneficiary__programme__code="HTXH"
    ).values_list("amount", flat=True)
    assert july and set(july) == {500_000}


def test_the_dashboard_has_twelve_months_with_payments(demo, db):
    months = dashboard.monthly(_commune("15271"))
    assert len(months) == 12
    assert all(m.all.total > 0 for m in months)
    assert all(m.all.cashless > 0 for m in months)


def test_users_are_ha_trungs_and_still_reach_yen_sons_files(demo, db):
    ha_trung = _commune("15271")
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        assert user.check_password(DEMO_PASSWORD)
        assert ha_trung.members.filter(pk=user.pk).exists()
        if spec.role:
            assert list(user.groups.values_list("name", flat=True)) == [spec.role]
    assert {s.role for s in DEMO_USERS if s.role} == set(roles.ROLE_PERMISSIONS)
    officer = User.objects.get(username="canbo")
    assert _commune("15307") in communes_for(officer)
    june = visible_files(officer).filter(commune__code="15307", period=JUNE)
    assert june.filter(kind="registration_self").exists()


def test_the_demo_shows_requests_in_every_state_and_some_outreach(demo, db):
    requests = AccountOpeningRequest.objects.filter(person__commune=demo.commune)
    states = set(requests.values_list("state", flat=True))
    assert states == set(AccountOpeningRequest.State.values)
    assert OutreachActivity.objects.filter(commune=demo.commune).count() == 6


# --- idempotent, incremental -----------------------------------------------------------


def test_seeding_again_the_same_month_changes_nothing(demo, db, capsys):
    before = _counts()
    hashes = dict(User.objects.values_list("username", "password"))

    again = seed_demo()
    call_command("seed_demo")

    assert not again.generated and again.commune == demo.commune
    assert not again.timeline.closed and not again.timeline.drafts
    assert _counts() == before
    assert dict(User.objects.values_list("username", "password")) == hashes
    out = capsys.readouterr().out
    assert "Xã Hà Trung (15271) đã có dữ liệu: giữ nguyên" in out
    assert "Đã chi trả" not in out and "Đã lập nháp" not in out
    for spec in DEMO_USERS:
        assert spec.username in out
    assert DEMO_PASSWORD in out


def test_seeding_two_months_later_adds_only_those_months(demo, db, clock):
    untouched = list(
        PaymentCycle.objects.exclude(period=THIS_MONTH)
        .order_by("pk")
        .values_list("pk", "status", "total_amount", "closed_at")
    )
    files = set(GeneratedFile.objects.values_list("pk", "sent_at"))
    later = (THIS_MONTH + datetime.timedelta(days=40)).replace(day=1)
    later = (later + datetime.timedelta(days=32)).replace(day=10)
    clock.move_to(local_moment(later))

    result = seed_demo()

    december = THIS_MONTH
    january = (december + datetime.timedelta(days=32)).replace(day=1)
    assert result.timeline.closed == [("15271", december), ("15271", january)]
    assert result.timeline.drafts == [("15271", later.replace(day=1))]
    assert (
        list(
            PaymentCycle.objects.filter(pk__in=[pk for pk, *_rest in untouched])
            .order_by("pk")
            .values_list("pk", "status", "total_amount", "closed_at")
        )
        == untouched
    )
    assert files <= set(GeneratedFile.objects.values_list("pk", "sent_at"))
    statuses = dict(
        PaymentCycle.objects.filter(commune__code="15271", period__gte=december).values_list(
            "period", "status"
        )
    )
    assert statuses == {december: "closed", january: "closed", later.replace(day=1): "draft"}
    for month in (december, january):
        assert GeneratedFile.objects.filter(
            commune__code="15271", period=month, kind="monthly_report", sent_at__isnull=False
        ).exists()
    # December's dead person's enrolment was ended, and nobody is paid twice.
    assert not (
        PaymentMonth.objects.filter(live=True)
        .values("beneficiary", "month", "kind")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )
    new_draft = PaymentCycle.objects.get(commune__code="15271", period=later.replace(day=1))
    assert cycle_blockers(new_draft, today=later)


def test_the_pages_show_late_only_what_the_demo_planted(demo, client):
    client.force_login(User.objects.get(username="canbo"))
    ha_trung = _commune("15271")

    cycles = client.get(reverse("cycle_list"), {"xa": ha_trung.pk}).context["cycles"]
    words = Counter(c.deadline for c in cycles)
    late = {c.period for c in cycles if c.deadline == "gửi muộn"}
    assert late == {p for p in LATE_CYCLES if p >= MERGED_ON}
    assert words["gửi đúng hạn"] == len(cycles) - 1 - len(late)
    # This month's draft, held by its blockers: the one deadline passed, on purpose.
    draft = next(c for c in cycles if c.period == THIS_MONTH)
    assert draft.deadline.startswith("quá hạn") == (TODAY > draft.due_on)

    dashboard_page = client.get(reverse("home"), {"xa": ha_trung.pk})
    assert dashboard_page.status_code == 200
    assert len(dashboard_page.context["months"]) == 12
    assert dashboard_page.context["cycle"] == draft
