"""The base levels page: the levels in force, entering a new one, a decree's table
of NCC fixed amounts — each previewed, then confirmed by the leader.

Thin: the rules are :mod:`desk.levels` and :mod:`desk.amounttable`. The
officer (``CAN_PREVIEW_BASE_LEVELS``) opens the page and the previews; the
preview's address carries what was entered, so the officer can hand it to the
leader, who confirms it (``CAN_ENTER_BASE_LEVELS``) through
:func:`core.confirm.confirm`: the page's fingerprint (the level row, the
figures) is checked with the programme locked, so a second click changes
nothing and says so.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amounts.models import AllowanceRate
from beneficiaries.access import commune_ids_for
from beneficiaries.models import Programme
from core import roles
from core.access import has_any_role, require_role
from core.confirm import Confirmation, Table, confirm
from core.rules.money import AmountError, format_amount, parse_amount
from core.users import full_name
from core.widgets import MonthField
from desk import levels
from desk.amounttable import (
    decode_table,
    encode_table,
    error_lines,
    read_amount_table,
    write_amount_template,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BaseLevelForm(forms.Form):
    """A base level as a decree states it (sent in the preview's address)."""

    chuong_trinh = forms.ModelChoiceField(
        label=gettext_lazy("Chương trình"),
        queryset=Programme.objects.order_by("order", "code"),
        to_field_name="code",
        empty_label=None,
    )
    so_tien = forms.CharField(
        label=gettext_lazy("Mức chuẩn (đồng)"),
        max_length=30,
        help_text=gettext_lazy("Số đồng chẵn, ví dụ 540.000"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "540.000"}),
    )
    tu_thang = MonthField(label=gettext_lazy("Áp dụng từ tháng (mm/yyyy)"))
    can_cu = forms.CharField(
        label=gettext_lazy("Văn bản (số nghị định, điều khoản)"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "Nghị định …/…/NĐ-CP"}),
    )

    def clean_so_tien(self) -> int:
        try:
            amount = parse_amount(self.cleaned_data["so_tien"])
        except AmountError as exc:
            raise forms.ValidationError(exc.message) from None
        if amount <= 0:
            raise forms.ValidationError(_("Mức chuẩn phải lớn hơn 0 đồng."))
        return amount

    def clean_can_cu(self) -> str:
        return " ".join(self.cleaned_data["can_cu"].split())

    def entry(self) -> levels.LevelEntry:
        data = self.cleaned_data
        return levels.LevelEntry(
            programme=data["chuong_trinh"],
            amount=data["so_tien"],
            applies_from=data["tu_thang"],
            legal_basis=data["can_cu"],
        )


class AmountTableForm(forms.Form):
    van_ban = forms.CharField(
        label=gettext_lazy("Số văn bản (nghị định)"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Nghị định …/…/NĐ-CP"}),
    )
    tep = forms.FileField(
        label=gettext_lazy("Bảng số tiền (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


def _page(request: HttpRequest, *, status: int = 200, **context) -> HttpResponse:
    rates = AllowanceRate.objects.select_related("programme", "verified_by").order_by(
        "programme__order", "programme__code", "-applies_from"
    )
    return render(
        request,
        "desk/base_levels.html",
        {
            "rates": rates,
            "level_form": context.pop("level_form", None) or BaseLevelForm(),
            "table_form": context.pop("table_form", None) or AmountTableForm(),
            "can_confirm": has_any_role(request.user, roles.CAN_ENTER_BASE_LEVELS),
            **context,
        },
        status=status,
    )


@login_required
@require_GET
def base_levels(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_PREVIEW_BASE_LEVELS)
    return _page(request)


def _listed_communes(user) -> list[int] | None:
    return None if user.is_superuser else commune_ids_for(user)


def _people_table(preview: levels.Preview, caption: str) -> Table:
    shown = preview.changes_shown
    if len(preview.changes) > len(shown):
        caption += " " + _("(%(shown)s người đầu tiên trong %(all)s)") % {
            "shown": format_amount(len(shown), unit=False),
            "all": format_amount(len(preview.changes), unit=False),
        }
    return Table(
        caption=caption,
        header=[
            _("Họ tên"),
            _("CCCD"),
            _("Xã"),
            _("Diện"),
            _("Từ tháng"),
            _("Mức cũ (đ)"),
            _("Mức mới (đ)"),
            _("Tháng đã chi"),
            _("Truy lĩnh (đ)"),
            _("Thu hồi (đ)"),
        ],
        rows=[
            [
                change.name,
                change.personal_id,
                change.commune,
                change.category,
                f"{change.start:%m/%Y}",
                format_amount(change.old, unit=False),
                format_amount(change.new, unit=False),
                format_amount(change.paid_months, unit=False),
                format_amount(change.arrears, unit=False),
                format_amount(change.recovery, unit=False),
            ]
            for change in shown
        ],
        numeric=frozenset({5, 6, 7, 8, 9}),
    )


def _figures(preview: levels.Preview) -> list[tuple[str, str]]:
    people = _("%(n)s người")
    return [
        (
            _("Số đối tượng được tính lại (mọi xã)"),
            people % {"n": format_amount(preview.enrolments, unit=False)},
        ),
        (
            _("Chênh lệch mỗi tháng (cộng mọi người)"),
            format_amount(preview.monthly_difference),
        ),
        (
            _("Truy lĩnh các tháng đã chi (kỳ sau chi bổ sung)"),
            _("%(people)s — %(amount)s")
            % {
                "people": people % {"n": format_amount(preview.arrears_people, unit=False)},
                "amount": format_amount(preview.arrears_total),
            },
        ),
        (
            _("Thu hồi các tháng đã chi cao hơn mức mới"),
            _("%(people)s — %(amount)s")
            % {
                "people": people % {"n": format_amount(preview.recovery_people, unit=False)},
                "amount": format_amount(preview.recovery_total),
            },
        ),
    ]


def _common_warnings(preview: levels.Preview) -> list[str]:
    warnings = []
    if preview.recovery_total:
        warnings.append(
            _(
                "Mức mới thấp hơn số đã chi ở các kỳ đã gửi: %(people)s người đã nhận cao hơn "
                "mức mới, tổng %(amount)s phải thu hồi."
            )
            % {
                "people": format_amount(preview.recovery_people, unit=False),
                "amount": format_amount(preview.recovery_total),
            }
        )
    if preview.unsent:
        warnings.append(
            _("Kỳ chi trả chưa gửi có tháng được tính lại, cần lập lại sau khi xác nhận: %(list)s.")
            % {
                "list": "; ".join(
                    f"{cycle.commune} {cycle.period:%m/%Y} ({cycle.status})"
                    for cycle in preview.unsent
                )
            }
        )
    return warnings


def _rate_text(rate: AllowanceRate | None) -> str:
    if rate is None:
        return _("Chưa có")
    text = _("%(amount)s từ %(month)s (%(basis)s)") % {
        "amount": format_amount(rate.amount),
        "month": f"{rate.applies_from:%m/%Y}",
        "basis": rate.legal_basis,
    }
    if not rate.verified:
        # (The shipped note of where the figure comes from is the admin's, in English.)
        text += " — " + _("chưa kiểm chứng")
    elif rate.verified_at:
        text += " — " + _("đã xác nhận: %(who)s, %(when)s") % {
            "who": full_name(rate.verified_by) if rate.verified_by else _("hệ thống"),
            "when": f"{timezone.localtime(rate.verified_at):%d/%m/%Y %H:%M}",
        }
    return text


def _level_confirmation(
    entry: levels.LevelEntry, preview: levels.Preview, may_confirm: bool
) -> Confirmation:
    rate = levels.current_rate(entry)
    before = levels.previous_rate(entry)
    warnings = _common_warnings(preview)
    if entry.programme.amount_mode != Programme.AmountMode.COEFFICIENT:
        warnings.insert(
            0,
            _(
                "Chương trình %(programme)s trả số tiền cố định theo quyết định: mức chuẩn "
                "không tự tính lại ai. Nhập bảng số tiền của nghị định ở trang Mức chuẩn."
            )
            % {"programme": entry.programme.short_name},
        )
    if before is not None and entry.amount < before.amount:
        warnings.insert(
            0,
            _("Mức mới %(new)s thấp hơn mức trước đó %(old)s.")
            % {"new": format_amount(entry.amount), "old": format_amount(before.amount)},
        )
    intro = _(
        "Xác nhận mức chuẩn %(programme)s %(amount)s từ tháng %(month)s: mức hưởng theo hệ số "
        "của chương trình được tính lại từ tháng đó."
    ) % {
        "programme": entry.programme.short_name,
        "amount": format_amount(entry.amount),
        "month": f"{entry.applies_from:%m/%Y}",
    }
    if not may_confirm:
        intro = _(
            "Bản xem trước: chỉ lãnh đạo UBND xã xác nhận mức chuẩn. Gửi địa chỉ trang này "
            "cho lãnh đạo để xác nhận."
        )
    return Confirmation(
        title=_("Xác nhận mức chuẩn"),
        intro=intro,
        facts=[
            (_("Chương trình"), entry.programme.name),
            (_("Mức chuẩn mới"), format_amount(entry.amount)),
            (_("Áp dụng từ tháng"), f"{entry.applies_from:%m/%Y}"),
            (_("Văn bản"), entry.legal_basis),
            (_("Mức đã có cho tháng này"), _rate_text(rate)),
            (_("Mức trước đó"), _rate_text(before)),
            *_figures(preview),
        ],
        button=_("Xác nhận mức chuẩn") if may_confirm else "",
        back=reverse("base_levels"),
        token=levels.base_level_token(entry, preview),
        tables=[_people_table(preview, _("Người được tính lại thuộc xã của bạn"))],
        warnings=warnings,
        danger=bool(preview.recovery_total),
    )


def _level_done(entry: levels.LevelEntry, result) -> str:
    values = {
        "programme": entry.programme.short_name,
        "amount": format_amount(entry.amount),
        "month": f"{entry.applies_from:%m/%Y}",
    }
    if not result.changed:
        return (
            _(
                "Mức chuẩn %(programme)s %(amount)s từ %(month)s đã có và đã được xác nhận: "
                "không có gì thay đổi."
            )
            % values
        )
    return _(
        "Đã ghi mức chuẩn %(programme)s %(amount)s từ %(month)s: %(added)s mức hưởng mới, "
        "%(updated)s mức hưởng sửa số tiền."
    ) % {
        **values,
        "added": format_amount(result.added, unit=False),
        "updated": format_amount(result.updated, unit=False),
    }


@login_required
@require_http_methods(["GET", "POST"])
def base_level_preview(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_PREVIEW_BASE_LEVELS)
    form = BaseLevelForm(request.GET)
    if not form.is_valid():
        return _page(request, level_form=form, status=400)
    may_confirm = has_any_role(request.user, roles.CAN_ENTER_BASE_LEVELS)
    if request.method == "POST":
        require_role(request.user, roles.CAN_ENTER_BASE_LEVELS)
    entry = form.entry()
    preview = levels.preview_base_level(entry, commune_ids=_listed_communes(request.user))

    def current() -> str:
        Programme.objects.select_for_update().get(pk=entry.programme.pk)
        return levels.base_level_token(entry, levels.preview_base_level(entry, commune_ids=[]))

    def act(data: dict) -> str:
        return _level_done(entry, levels.apply_base_level(entry, actor=request.user))

    return confirm(
        request,
        _level_confirmation(entry, preview, may_confirm),
        current=current,
        act=act,
        stale=_(
            "Trang xác nhận đã cũ: mức chuẩn hoặc mức hưởng của chương trình %(programme)s "
            "đã thay đổi từ khi mở trang (bấm hai lần, hoặc người khác vừa xác nhận)."
        )
        % {"programme": entry.programme.short_name},
        errors=(levels.RateError,),
    )


# --- A decree's table of fixed amounts ---------------------------------------------


@login_required
@require_GET
def amount_table_template(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_PREVIEW_BASE_LEVELS)
    buffer = io.BytesIO()
    write_amount_template(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer, as_attachment=True, filename="mau-bang-so-tien-ncc.xlsx", content_type=XLSX
    )


@login_required
@require_POST
def amount_table_upload(request: HttpRequest) -> HttpResponse:
    """Read and check the whole file; refused, it lists its row errors and keeps nothing."""
    require_role(request.user, roles.CAN_PREVIEW_BASE_LEVELS)
    form = AmountTableForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, table_form=form, status=400)
    upload = form.cleaned_data["tep"]
    read = read_amount_table(upload.file, filename=upload.name)
    if read.errors:
        return _page(
            request,
            table_form=form,
            table_errors=error_lines(read.errors),
            table_name=upload.name,
            status=400,
        )
    query = urlencode(
        {"van_ban": " ".join(form.cleaned_data["van_ban"].split()), "bang": encode_table(read.rows)}
    )
    return redirect(f"{reverse('amount_table_confirm')}?{query}")


def _table_confirmation(
    table, decision_number: str, preview: levels.Preview, may_confirm: bool
) -> Confirmation:
    intro = _(
        "Xác nhận bảng số tiền theo %(decision)s: mức hưởng cố định của các diện dưới đây "
        "đổi từ tháng áp dụng."
    ) % {"decision": decision_number}
    if not may_confirm:
        intro = _(
            "Bản xem trước: chỉ lãnh đạo UBND xã xác nhận bảng số tiền. Gửi địa chỉ trang "
            "này cho lãnh đạo để xác nhận."
        )
    return Confirmation(
        title=_("Xác nhận bảng số tiền người có công"),
        intro=intro,
        facts=[(_("Văn bản"), decision_number), *_figures(preview)],
        button=_("Xác nhận bảng số tiền") if may_confirm else "",
        back=reverse("base_levels"),
        token=levels.fixed_amounts_token(table, decision_number, preview),
        tables=[
            Table(
                caption=_("Bảng số tiền"),
                header=[_("Mã đối tượng"), _("Diện"), _("Số tiền (đ)"), _("Từ tháng")],
                rows=[
                    [
                        row.category.code,
                        row.category.short_name,
                        format_amount(row.amount, unit=False),
                        f"{row.from_month:%m/%Y}",
                    ]
                    for row in table
                ],
                numeric=frozenset({2}),
            ),
            _people_table(preview, _("Người đổi mức hưởng thuộc xã của bạn")),
        ],
        warnings=_common_warnings(preview),
        danger=bool(preview.recovery_total),
    )


@login_required
@require_http_methods(["GET", "POST"])
def amount_table_confirm(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_PREVIEW_BASE_LEVELS)
    decision_number = " ".join(request.GET.get("van_ban", "").split())[:100]
    read = decode_table(request.GET.get("bang", ""))
    if read.errors or not decision_number:
        problems = error_lines(read.errors) or [_("Hãy ghi số văn bản (nghị định).")]
        return _page(request, table_errors=problems, status=400)
    may_confirm = has_any_role(request.user, roles.CAN_ENTER_BASE_LEVELS)
    if request.method == "POST":
        require_role(request.user, roles.CAN_ENTER_BASE_LEVELS)
    table = read.rows
    preview = levels.preview_fixed_amounts(table, commune_ids=_listed_communes(request.user))

    def current() -> str:
        programme_ids = sorted({row.category.programme_id for row in table})
        list(Programme.objects.select_for_update().filter(pk__in=programme_ids).order_by("pk"))
        fresh = levels.preview_fixed_amounts(table, commune_ids=[])
        return levels.fixed_amounts_token(table, decision_number, fresh)

    def act(data: dict) -> str:
        result = levels.apply_fixed_amounts(
            table, decision_number=decision_number, actor=request.user
        )
        if not (result.added or result.updated):
            return _("Bảng số tiền đã được ghi trước đó: không có gì thay đổi.")
        return _(
            "Đã ghi bảng số tiền theo %(decision)s: %(added)s mức hưởng mới, %(updated)s mức "
            "hưởng sửa số tiền."
        ) % {
            "decision": decision_number,
            "added": format_amount(result.added, unit=False),
            "updated": format_amount(result.updated, unit=False),
        }

    return confirm(
        request,
        _table_confirmation(table, decision_number, preview, may_confirm),
        current=current,
        act=act,
        stale=_(
            "Trang xác nhận đã cũ: mức hưởng của các diện trong bảng đã thay đổi từ khi mở "
            "trang (bấm hai lần, hoặc người khác vừa xác nhận)."
        ),
        errors=(levels.RateError,),
    )
