from django.urls import path

from reports import views

urlpatterns = [
    path("", views.registration_lists, name="registration_lists"),
    path("lap/", views.registration_lists_build, name="registration_lists_build"),
    path("phe-duyet/", views.registration_lists_approve, name="registration_lists_approve"),
    path(
        "rut-phe-duyet/",
        views.registration_lists_withdraw_approval,
        name="registration_lists_withdraw_approval",
    ),
    path("tep/<int:pk>/da-gui/", views.generated_file_mark_sent, name="generated_file_mark_sent"),
    path(
        "tep/<int:pk>/rut-da-gui/",
        views.generated_file_withdraw_sent,
        name="generated_file_withdraw_sent",
    ),
    path("tep/<int:pk>/thu-lai/", views.generated_file_retry, name="generated_file_retry"),
]
