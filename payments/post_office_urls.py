from django.urls import path

from payments import cashaccount_views
from payments import post_office_views as views

urlpatterns = [
    path("buu-dien/", views.post_office, name="post_office"),
    path("buu-dien/<int:pk>/ket-qua/", views.post_office_record, name="post_office_record"),
    path("buu-dien/da-chi-tra/", views.post_office_bulk_paid, name="post_office_bulk_paid"),
    path(
        "buu-dien/da-chi-tra/xac-nhan/",
        views.post_office_bulk_confirm,
        name="post_office_bulk_confirm",
    ),
    path(
        "buu-dien/ky/<int:pk>/nop-lai/",
        cashaccount_views.post_office_cash_returned,
        name="post_office_cash_returned",
    ),
    path(
        "buu-dien/ky/<int:pk>/xac-nhan/",
        cashaccount_views.post_office_cash_confirm,
        name="post_office_cash_confirm",
    ),
]
