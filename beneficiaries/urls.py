from django.urls import path

from beneficiaries import views

urlpatterns = [
    path("", views.home, name="home"),
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
        "nguoi/<int:person_pk>/nguoi-nhan-thay/them/",
        views.representative_create,
        name="representative_create",
    ),
    path("nguoi/<int:person_pk>/tai-khoan/them/", views.account_create, name="account_create"),
]
