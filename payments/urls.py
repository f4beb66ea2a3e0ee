from django.urls import path

from payments import (
    bankresult_views,
    cashaccount_views,
    check_views,
    correction_views,
    reconciliation_views,
    recovery_views,
    views,
)

urlpatterns = [
    path("", views.cycle_list, name="cycle_list"),
    path("lap/", views.cycle_open, name="cycle_open"),
    path("<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("<int:pk>/khoan/", views.cycle_payments, name="cycle_payments"),
    path("<int:pk>/kiem-tra/", check_views.cycle_checks, name="cycle_checks"),
    path("<int:pk>/kiem-tra/chon-mau/", check_views.cycle_checks_draw, name="cycle_checks_draw"),
    path("kiem-tra/<int:pk>/ghi/", check_views.check_record, name="check_record"),
    path("khieu-nai/", check_views.case_list, name="case_list"),
    path("khieu-nai/<int:pk>/giai-quyet/", check_views.case_resolve, name="case_resolve"),
    path("nguoi/<int:pk>/phan-anh/", check_views.person_statement, name="person_statement"),
    path("thu-hoi/", recovery_views.recovery_list, name="recovery_list"),
    path("thu-hoi/ra-soat/", recovery_views.recovery_review, name="recovery_review"),
    path("thu-hoi/<int:pk>/", recovery_views.recovery_detail, name="recovery_detail"),
    path(
        "thu-hoi/<int:pk>/quyet-dinh/",
        recovery_views.recovery_decision,
        name="recovery_decision",
    ),
    path(
        "thu-hoi/<int:pk>/nop-lai-mien/",
        recovery_views.recovery_settlement,
        name="recovery_settlement",
    ),
    path("<int:pk>/thay-doi/", views.cycle_changes_page, name="cycle_changes"),
    path(
        "<int:pk>/doi-soat/",
        reconciliation_views.cycle_reconciliation,
        name="cycle_reconciliation",
    ),
    path(
        "<int:pk>/doi-soat/tai-ve/",
        reconciliation_views.cycle_reconciliation_sheet,
        name="cycle_reconciliation_sheet",
    ),
    path("<int:pk>/lap-tep/", views.cycle_files_request, name="cycle_files_request"),
    path(
        "<int:pk>/ket-qua-ngan-hang/",
        bankresult_views.results_upload,
        name="results_upload",
    ),
    path(
        "ket-qua-ngan-hang/<int:pk>/",
        bankresult_views.results_upload_detail,
        name="results_upload_detail",
    ),
    path(
        "ket-qua-ngan-hang/<int:pk>/xac-nhan/",
        bankresult_views.results_upload_confirm,
        name="results_upload_confirm",
    ),
    path(
        "ket-qua-ngan-hang/<int:pk>/tep-loi/",
        bankresult_views.results_upload_errors,
        name="results_upload_errors",
    ),
    path("<int:pk>/tien-mat/ban-giao/", cashaccount_views.cash_handover, name="cash_handover"),
    path(
        "<int:pk>/tien-mat/xac-nhan/",
        cashaccount_views.cash_confirm_accountant,
        name="cash_confirm_accountant",
    ),
    path("<int:pk>/<slug:action>/", views.cycle_action, name="cycle_action"),
    path(
        "khoan/<int:pk>/sua-ket-qua/",
        correction_views.result_correction,
        name="result_correction",
    ),
    path(
        "khoan/<int:pk>/chuyen-tien-mat/",
        views.payment_switch_to_cash,
        name="payment_switch_to_cash",
    ),
]
