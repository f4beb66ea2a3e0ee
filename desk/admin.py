"""The admin's import and export of enrolments, added to the registry's admin page.

Staff import through the same reader and checks as the officer's page
(:mod:`desk.resources`); the ImportBatch is the log. The registry's admin
class knows nothing of the spreadsheet: this app, above it, registers the
page again with the import and export.
"""

from __future__ import annotations

from django.contrib import admin
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import XLSX

from beneficiaries.admin import BeneficiaryAdmin
from beneficiaries.models import Beneficiary
from core import roles
from core.access import has_any_role
from desk.resources import RegistryResource


class BeneficiaryImportExportAdmin(ImportExportMixin, BeneficiaryAdmin):
    resource_classes = [RegistryResource]
    formats = [XLSX]
    skip_admin_log = True

    def has_export_permission(self, request) -> bool:
        # The export holds accounts and representatives' IDs: money roles only.
        return has_any_role(request.user, roles.CAN_SEE_MONEY) and super().has_export_permission(
            request
        )

    def has_import_permission(self, request) -> bool:
        return has_any_role(
            request.user, roles.CAN_EDIT_REGISTRY
        ) and super().has_import_permission(request)


admin.site.unregister(Beneficiary)
admin.site.register(Beneficiary, BeneficiaryImportExportAdmin)
