"""The registry desk's pages: the registry list and forms, the import and the export."""

from django.urls import path

from desk import import_views, level_views, merger_views, views

urlpatterns = [
    path("sap-nhap-xa/", merger_views.merger_page, name="merger_page"),
    path("muc-chuan/", level_views.base_levels, name="base_levels"),
    path("muc-chuan/xem-truoc/", level_views.base_level_preview, name="base_level_preview"),
    path("muc-chuan/bang-so-tien/", level_views.amount_table_upload, name="amount_table_upload"),
    path(
        "muc-chuan/bang-so-tien/xac-nhan/",
        level_views.amount_table_confirm,
        name="amount_table_confirm",
    ),
    path(
        "muc-chuan/bang-so-tien/mau.xlsx",
        level_views.amount_table_template,
        name="amount_table_template",
    ),
    path("doi-tuong/", views.person_list, name="person_list"),
    path("nguoi/them/", views.person_create, name="person_create"),
    path("nguoi/<int:pk>/", views.person_detail, name="person_detail"),
    path("nguoi/<int:pk>/sua/", views.person_edit, name="person_edit"),
    path(
        "nguoi/<int:person_pk>/dien-huong/them/",
        views.beneficiary_create,
        name="beneficiary_create",
    ),
    path("dien-huong/<int:pk>/sua/", views.beneficiary_edit, name="beneficiary_edit"),
    path(
        "nguoi/<int:person_pk>/dieu-kien/them/",
        views.condition_create,
        name="condition_create",
    ),
    path(
        "nguoi/<int:person_pk>/nguoi-nhan-thay/them/",
        views.representative_create,
        name="representative_create",
    ),
    path("nguoi-nhan-thay/<int:pk>/sua/", views.representative_edit, name="representative_edit"),
    path("nguoi/<int:person_pk>/tai-khoan/them/", views.account_create, name="account_create"),
    path("tai-khoan/<int:pk>/sua/", views.account_edit, name="account_edit"),
    path("doi-tuong/xuat/", import_views.registry_export, name="registry_export"),
    path("nhap-danh-sach/", import_views.import_upload, name="import_upload"),
    path("nhap-danh-sach/mau/", import_views.import_template, name="import_template"),
    path("nhap-danh-sach/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("nhap-danh-sach/<int:pk>/tien-do/", import_views.import_progress, name="import_progress"),
    path("nhap-danh-sach/<int:pk>/xac-nhan/", import_views.import_confirm, name="import_confirm"),
    path("nhap-danh-sach/<int:pk>/huy/", import_views.import_cancel, name="import_cancel"),
    path("nhap-danh-sach/<int:pk>/thu-lai/", import_views.import_retry, name="import_retry"),
    path(
        "nhap-danh-sach/<int:pk>/ket-qua.xlsx",
        import_views.import_error_file,
        name="import_error_file",
    ),
]
