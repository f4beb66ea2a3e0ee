from django.urls import path

from registration import quality_views, views

urlpatterns = [
    path("chat-luong-du-lieu/", quality_views.data_quality, name="data_quality"),
    path("dien-huong/<int:pk>/dang-ky-nhan/", views.register_method, name="register_method"),
    path(
        "nguoi/<int:person_pk>/mo-tai-khoan/",
        views.account_request_create,
        name="account_request_create",
    ),
    path("mo-tai-khoan/", views.pipeline, name="account_pipeline"),
    path("mo-tai-khoan/<int:pk>/gioi-thieu/", views.request_refer, name="account_request_refer"),
    path("mo-tai-khoan/<int:pk>/da-mo/", views.request_opened, name="account_request_opened"),
    path("mo-tai-khoan/<int:pk>/dung/", views.request_abandon, name="account_request_abandon"),
    path(
        "mo-tai-khoan/ngan-hang/<int:bank_pk>/cong-van/",
        views.referral_letter,
        name="account_referral_letter",
    ),
    path("chuyen-chuong-trinh/", views.transfer_list, name="transfer_list"),
    path("chuyen-chuong-trinh/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("truyen-thong/", views.outreach_list, name="outreach_list"),
    path("truyen-thong/them/", views.outreach_create, name="outreach_create"),
    path("truyen-thong/<int:pk>/sua/", views.outreach_edit, name="outreach_edit"),
]
