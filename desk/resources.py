"""django-import-export for staff in the admin, wired to the same reader, checks
and writer as the officer's import page: one rule, one place.

The admin hands over a tablib Dataset; it is turned back into a workbook and
run through :func:`desk.importer.service.run_import`, so an import
made here is recorded as an :class:`ImportBatch` like any other.
"""

from __future__ import annotations

import io

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import resources
from import_export.results import Error, Result, RowResult

from beneficiaries.access import communes_for
from beneficiaries.models import Beneficiary, ImportBatch
from desk.exporter import COLUMNS, registry_rows
from desk.importer.plan import CHANGED, ERROR, NEW
from desk.importer.service import create_batch, run_import

IMPORT_TYPES = {NEW: RowResult.IMPORT_TYPE_NEW, CHANGED: RowResult.IMPORT_TYPE_UPDATE}


class RegistryResource(resources.ModelResource):
    class Meta:
        model = Beneficiary
        # The layout is fixed (the import's); the admin's field picker shows one box.
        fields = ("id",)

    def export(self, queryset=None, **kwargs) -> tablib.Dataset:
        dataset = tablib.Dataset(headers=[column.header for column in COLUMNS])
        enrolments = queryset if queryset is not None else Beneficiary.objects.none()
        for row in registry_rows(enrolments, on=timezone.localdate()):
            dataset.append(row)
        return dataset

    def import_data(
        self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs
    ):
        user = kwargs.get("user")
        result = Result()
        result.diff_headers = [_("Trang"), _("Dòng"), _("Họ và tên"), _("Số CCCD"), _("Thay đổi")]
        communes = list(communes_for(user)[:2]) if user is not None else []
        if len(communes) != 1:
            result.append_base_error(
                Error(
                    ValueError(
                        _(
                            "Tài khoản phải thuộc đúng một xã để nhập; dùng trang «Nhập từ Excel» để chọn xã."
                        )
                    )
                )
            )
            return result
        workbook = io.BytesIO(dataset.export("xlsx"))
        batch = create_batch(
            workbook, name=kwargs.get("file_name") or "admin.xlsx", commune=communes[0], actor=user
        )
        batch = run_import(batch, actor=user, commit=not dry_run)
        return self._result(batch, result)

    def _result(self, batch: ImportBatch, result: Result) -> Result:
        by_row: dict[tuple, list[str]] = {}
        for issue in batch.issues:
            if issue["level"] != "error":
                continue
            if issue["row"] is None:
                result.append_base_error(Error(ValueError(issue["message"])))
            else:
                label = f"{issue['column']}: " if issue["column"] else ""
                by_row.setdefault((issue["sheet"], issue["row"]), []).append(
                    f"{label}{issue['message']} «{issue['value']}»"
                )
        for sheet, number, name, personal_id, status, changes, *_enrols in batch.summary.get(
            "rows", []
        ):
            values = [sheet, number, name, personal_id, changes]
            if status == ERROR:
                result.append_invalid_row(
                    number,
                    dict(zip(result.diff_headers, values, strict=True)),
                    ValidationError({NON_FIELD_ERRORS: by_row.get((sheet, number), [_("Lỗi")])}),
                )
                continue
            row = RowResult()
            row.import_type = IMPORT_TYPES.get(status, RowResult.IMPORT_TYPE_SKIP)
            row.diff = values
            row.object_repr = name
            result.append_row_result(row)
            result.increment_row_result_total(row)
        result.total_rows = batch.rows_total
        return result
