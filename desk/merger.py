"""Merging communes: old communes become part of a new (or existing) one.

Since 1/7/2025 Xã Yến Sơn is part of Xã Hà Trung. A merger moves the old
communes' registry to the new commune — villages, people, enrolments (with
an :class:`~beneficiaries.models.EnrolmentCommunePeriod` row each: the months
before the merger stay the old commune's), outreach — and leaves the old
communes' cycles, lists, reports and imports where they are: a month before
the merger is still built for the old commune, with its name and signers.
Representatives, accounts, registrations and account requests follow their
people (they have no commune of their own). Members of an old commune become
members of the new one and stay members of the old one (its files stay
theirs); the new commune's members read the old communes' files through
``beneficiaries.access.communes_for``.

Everything is set-based (one ``UPDATE`` and one history ``INSERT … SELECT``
per table): a province merger moves tens of thousands of enrolments.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import PaymentAccount
from beneficiaries.models import (
    Beneficiary,
    Commune,
    Person,
    Representative,
    Village,
    commune_title,
)
from core.bulk import HistoryStamp, history_from_rows
from documents.models import Event
from payments.models import PaymentCycle
from payments.services.cycles import discard_draft_cycle
from registration.models import AccountOpeningRequest, OutreachActivity, PaymentMethodRegistration

FIELDS = (
    "issuing_body",
    "place_name",
    "district_name",
    "province_name",
    "preparer_name",
    "accountant_name",
    "leader_title",
    "leader_name",
)
# Not closed yet: the books of these are still open in the old commune.
OPEN_STATUSES = (
    PaymentCycle.Status.APPROVED,
    PaymentCycle.Status.SUBMITTED,
    PaymentCycle.Status.PAID,
)
DONE_STATUSES = (*OPEN_STATUSES, PaymentCycle.Status.CLOSED)


class MergeError(Exception):
    """A merger refused; ``refusals`` lists every reason (Vietnamese)."""

    def __init__(self, refusals: list[str]) -> None:
        super().__init__("\n".join(refusals))
        self.refusals = refusals


@dataclass(frozen=True)
class OldCommune:
    """What moves from one old commune."""

    code: str
    name: str
    villages: int = 0
    people: int = 0
    enrolments: int = 0
    representatives: int = 0
    accounts: int = 0
    registrations: int = 0
    account_requests: int = 0
    outreach: int = 0
    users: int = 0


@dataclass(frozen=True)
class VillageRename:
    commune_code: str
    old_name: str
    new_name: str


@dataclass(frozen=True)
class DiscardedCycle:
    commune_code: str
    commune_name: str
    period: datetime.date


@dataclass
class MergePreview:
    into_code: str
    name: str
    on: datetime.date | None
    into_exists: bool = False
    old: list[OldCommune] = field(default_factory=list)
    renames: list[VillageRename] = field(default_factory=list)
    discarded: list[DiscardedCycle] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refusals

    def totals(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for old in self.old:
            for name in (
                "villages",
                "people",
                "enrolments",
                "representatives",
                "accounts",
                "registrations",
                "account_requests",
                "outreach",
                "users",
            ):
                total[name] += getattr(old, name)
        return dict(total)


@dataclass(frozen=True)
class MergeResult:
    commune: Commune
    created: bool
    preview: MergePreview
    merged: list[Commune]


def _require_superuser(actor) -> None:
    # A merger rewrites several communes at once: the system or a superuser only.
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise PermissionDenied


def default_fields(name: str, olds: list[Commune]) -> dict[str, str]:
    """The new commune's document settings when the form leaves them empty."""
    province = next((c.province_name for c in olds if c.province_name), "")
    return {
        "issuing_body": f"ỦY BAN NHÂN DÂN XÃ {name.upper()}",
        "place_name": name,
        "district_name": "",
        "province_name": province,
    }


def _counts(commune: Commune) -> OldCommune:
    people = Person.objects.filter(commune=commune)
    return OldCommune(
        code=commune.code,
        name=commune.name,
        villages=Village.objects.filter(commune=commune).count(),
        people=people.count(),
        enrolments=Beneficiary.objects.filter(commune=commune).count(),
        representatives=Representative.objects.filter(represented__commune=commune).count(),
        accounts=PaymentAccount.objects.filter(holder__commune=commune).count(),
        registrations=PaymentMethodRegistration.objects.filter(
            beneficiary__commune=commune
        ).count(),
        account_requests=AccountOpeningRequest.objects.filter(person__commune=commune).count(),
        outreach=OutreachActivity.objects.filter(commune=commune).count(),
        users=commune.members.count(),
    )


def _renames(into: Commune | None, olds: list[Commune]) -> list[VillageRename]:
    """Villages whose name another moving village (or the new commune's own) has:
    each old commune's gets its commune's name in brackets."""
    own = set()
    if into is not None:
        own = {
            v.lower() for v in Village.objects.filter(commune=into).values_list("name", flat=True)
        }
    names: dict[str, list[tuple[Commune, str]]] = {}
    for commune in olds:
        for name in Village.objects.filter(commune=commune).values_list("name", flat=True):
            names.setdefault(name.lower(), []).append((commune, name))
    renames = []
    for key, holders in sorted(names.items()):
        if len(holders) > 1 or key in own:
            for commune, name in holders:
                renames.append(VillageRename(commune.code, name, f"{name} ({commune.name})"))
    return renames


def preview_merger(
    *,
    into_code: str,
    name: str,
    from_codes: list[str],
    on: datetime.date | None,
) -> MergePreview:
    """What :func:`merge_communes` would move, rename and discard, and why it
    would refuse (``refusals``); nothing is written."""
    into_code = (into_code or "").strip()
    name = (name or "").strip()
    codes = list(dict.fromkeys(c.strip() for c in from_codes if c and c.strip()))
    preview = MergePreview(into_code=into_code, name=name, on=on)
    refusals = preview.refusals
    into = Commune.objects.filter(code=into_code).first()
    preview.into_exists = into is not None
    if not (len(into_code) == 5 and into_code.isdigit()):
        refusals.append(_("Mã xã mới phải gồm đúng 5 chữ số (nhận: “%s”).") % into_code)
    if not name and into is None:
        refusals.append(_("Chưa nhập tên xã mới."))
    if on is None:
        refusals.append(_("Chưa nhập ngày sáp nhập."))
    elif on.day != 1:
        refusals.append(_("Ngày sáp nhập phải là ngày đầu tháng (nhận: %s).") % f"{on:%d/%m/%Y}")
    if not codes:
        refusals.append(_("Chưa chọn xã cũ nào để sáp nhập."))
    if into is not None and into.merged_into_id is not None:
        refusals.append(
            _("%(new)s đã sáp nhập vào %(other)s: không nhận thêm xã nào.")
            % {"new": commune_title(into), "other": commune_title(into.merged_into)}
        )
    found = {
        c.code: c for c in Commune.objects.filter(code__in=codes).select_related("merged_into")
    }
    olds = []
    for code in codes:
        commune = found.get(code)
        if code == into_code:
            refusals.append(_("Không sáp nhập một xã vào chính nó (mã %s).") % code)
        elif commune is None:
            refusals.append(_("Không có xã nào mã %s.") % code)
        elif commune.merged_into_id is not None:
            refusals.append(
                _("%(old)s đã sáp nhập vào %(new)s từ %(day)s: không sáp nhập lần nữa.")
                % {
                    "old": commune_title(commune),
                    "new": commune_title(commune.merged_into),
                    "day": f"{commune.merged_on:%d/%m/%Y}",
                }
            )
        else:
            olds.append(commune)
    for commune in olds:
        preview.old.append(_counts(commune))
        cycles = PaymentCycle.objects.filter(commune=commune)
        for cycle in cycles.filter(status__in=OPEN_STATUSES).order_by("period"):
            refusals.append(
                _(
                    "%(old)s còn kỳ chi trả tháng %(month)s đang “%(status)s” chưa khóa sổ: "
                    "khóa sổ kỳ này trước khi sáp nhập."
                )
                % {
                    "old": commune_title(commune),
                    "month": f"{cycle.period:%m/%Y}",
                    "status": cycle.get_status_display(),
                }
            )
        if on is None:
            continue
        month = on.replace(day=1)
        latest = cycles.filter(status__in=DONE_STATUSES).order_by("-period").first()
        if latest is not None and latest.period >= month:
            refusals.append(
                _(
                    "%(old)s đã có kỳ chi trả tháng %(month)s (%(status)s): ngày sáp nhập "
                    "phải sau tháng này."
                )
                % {
                    "old": commune_title(commune),
                    "month": f"{latest.period:%m/%Y}",
                    "status": latest.get_status_display(),
                }
            )
        for cycle in cycles.filter(status=PaymentCycle.Status.DRAFT, period__gte=month):
            preview.discarded.append(DiscardedCycle(commune.code, commune.name, cycle.period))
    preview.renames = _renames(into, olds)
    return preview


def _moved_ids(cursor, table: str, where: str, params: list) -> None:
    cursor.execute("DELETE FROM desk_merger_moved")
    # Table names are the models'; ``where`` is this module's constant SQL.
    cursor.execute(
        f"INSERT INTO desk_merger_moved (id) SELECT id FROM {table} WHERE {where}",  # noqa: S608
        params,
    )


def _move(model, column: str, old_ids: list[int], into: Commune, stamp: HistoryStamp) -> int:
    """Point ``column`` of every row of ``model`` in an old commune at ``into``,
    with a history row each: set-based, whatever the number of rows."""
    table = connection.ops.quote_name(model._meta.db_table)
    marks = ", ".join(["%s"] * len(old_ids))
    with connection.cursor() as cursor:
        _moved_ids(cursor, table, f"{column} IN ({marks})", old_ids)
        cursor.execute(
            f"UPDATE {table} SET {column} = %s "  # noqa: S608
            "WHERE id IN (SELECT id FROM desk_merger_moved)",
            [into.pk],
        )
        moved = cursor.rowcount
    history_from_rows(
        model,
        where="t.id IN (SELECT id FROM desk_merger_moved)",
        params=[],
        stamp=stamp,
        history_type="~",
    )
    return moved


def _write_periods(old_ids: list[int], month: datetime.date) -> None:
    """One period row per moving enrolment: its months before the merger are the
    old commune's (from its latest earlier move, if it moved before)."""
    marks = ", ".join(["%s"] * len(old_ids))
    day = connection.ops.adapt_datefield_value(month)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO beneficiaries_enrolmentcommuneperiod "  # noqa: S608
            "(beneficiary_id, commune_id, from_month, until_month) "
            "SELECT b.id, b.commune_id, prev.until_month, %s "
            "FROM beneficiaries_beneficiary b LEFT JOIN ("
            " SELECT beneficiary_id, MAX(until_month) AS until_month"
            " FROM beneficiaries_enrolmentcommuneperiod GROUP BY beneficiary_id"
            ") prev ON prev.beneficiary_id = b.id "
            f"WHERE b.commune_id IN ({marks})",
            [day, *old_ids],
        )


@transaction.atomic
def merge_communes(
    *,
    into_code: str,
    name: str,
    from_codes: list[str],
    on: datetime.date,
    actor=None,
    fields: dict[str, str] | None = None,
) -> MergeResult:
    """Merge the communes ``from_codes`` into commune ``into_code`` (created with
    ``name`` and the document settings ``fields`` when it does not exist) from
    the month ``on`` (the 1st). Raises :class:`MergeError` with every refusal."""
    _require_superuser(actor)
    # Two mergers at once would each see the old communes unmerged.
    list(Commune.objects.select_for_update().filter(code__in=[*from_codes, into_code]))
    preview = preview_merger(into_code=into_code, name=name, from_codes=from_codes, on=on)
    if not preview.ok:
        raise MergeError(preview.refusals)
    month = on.replace(day=1)
    codes = [old.code for old in preview.old]
    olds = list(Commune.objects.filter(code__in=codes).order_by("name"))
    old_ids = [c.pk for c in olds]
    reason = _("Sáp nhập %(olds)s vào %(new)s từ %(day)s") % {
        "olds": ", ".join(commune_title(c) for c in olds),
        "new": f"Xã {preview.name}" if preview.name else into_code,
        "day": f"{on:%d/%m/%Y}",
    }
    stamp = HistoryStamp(user=actor, date=timezone.now(), reason=reason[:100])

    into = Commune.objects.filter(code=preview.into_code).first()
    created = into is None
    values = {k: v for k, v in (fields or {}).items() if k in FIELDS and v}
    if created:
        into = Commune(code=preview.into_code, name=preview.name)
        for key, value in {**default_fields(preview.name, olds), **values}.items():
            setattr(into, key, value)
    else:
        for key, value in values.items():
            setattr(into, key, value)
    into._history_user = actor
    into._change_reason = stamp.reason
    into.save()

    for draft in PaymentCycle.objects.filter(
        commune_id__in=old_ids, status=PaymentCycle.Status.DRAFT, period__gte=month
    ):
        discard_draft_cycle(draft, stamp=stamp)

    # Villages first (a clash renamed, the old name kept in the village's history).
    renamed = {(r.commune_code, r.old_name): r.new_name for r in preview.renames}
    by_code = {c.code: c for c in olds}
    for rename in preview.renames:
        village = Village.objects.get(commune=by_code[rename.commune_code], name=rename.old_name)
        village.former_name = village.former_name or village.name
        village.name = renamed[(rename.commune_code, rename.old_name)]
        village._history_user = actor
        village._change_reason = stamp.reason
        village.save()

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS desk_merger_moved")
        cursor.execute("CREATE TEMPORARY TABLE desk_merger_moved (id bigint PRIMARY KEY)")
    _write_periods(old_ids, month)
    _move(Village, "commune_id", old_ids, into, stamp)
    _move(Person, "commune_id", old_ids, into, stamp)
    _move(Beneficiary, "commune_id", old_ids, into, stamp)
    _move(OutreachActivity, "commune_id", old_ids, into, stamp)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE desk_merger_moved")

    # Members of an old commune work in the new one (and keep the old one's files).
    members = set()
    for commune in olds:
        members.update(commune.members.values_list("pk", flat=True))
    into.members.add(*members)

    for commune in olds:
        commune.merged_into = into
        commune.merged_on = on
        commune._history_user = actor
        commune._change_reason = stamp.reason
        commune.save(update_fields=["merged_into", "merged_on"])
        Event.objects.create(
            kind=Event.Kind.COMMUNES_MERGED,
            actor=actor,
            commune=commune,
            data={
                "into": into.code,
                "on": on.isoformat(),
                "enrolments": next(o.enrolments for o in preview.old if o.code == commune.code),
            },
        )
    Event.objects.create(
        kind=Event.Kind.COMMUNES_MERGED,
        actor=actor,
        commune=into,
        data={"from": codes, "on": on.isoformat(), "created": created},
    )
    return MergeResult(commune=into, created=created, preview=preview, merged=olds)


def merger_done(*, into_code: str, name: str, from_codes: list[str], on: datetime.date) -> bool:
    """Whether exactly this merger is already recorded (a confirmation sent twice)."""
    codes = set(from_codes)
    done = Commune.objects.filter(code__in=codes, merged_into__code=into_code, merged_on=on)
    return bool(codes) and done.count() == len(codes)


def preview_lines(preview: MergePreview) -> list[str]:
    """The preview as lines of text (the command prints them)."""
    on = f"{preview.on:%d/%m/%Y}" if preview.on else "?"
    state = "đã có" if preview.into_exists else "tạo mới"
    lines = [f"Sáp nhập vào xã {preview.name or '?'} ({preview.into_code}, {state}) từ {on}:"]
    for old in preview.old:
        lines.append(
            f"- {old.name} ({old.code}): {old.villages} thôn, {old.people} người, "
            f"{old.enrolments} đối tượng hưởng, {old.representatives} người nhận thay, "
            f"{old.accounts} tài khoản, {old.registrations} đăng ký nhận, "
            f"{old.account_requests} đề nghị mở tài khoản, {old.outreach} hoạt động truyền thông, "
            f"{old.users} người dùng"
        )
    for rename in preview.renames:
        lines.append(f"Đổi tên thôn trùng: {rename.old_name} → {rename.new_name}")
    for cycle in preview.discarded:
        lines.append(f"Bỏ dự thảo kỳ chi trả tháng {cycle.period:%m/%Y} của {cycle.commune_name}")
    for refusal in preview.refusals:
        lines.append(f"Không thực hiện được: {refusal}")
    return lines
