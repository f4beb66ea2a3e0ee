from django.urls import path

from payments import post_office_views as views

urlpatterns = [
    path("buu-dien/", views.post_office, name="post_office"),
    path("buu-dien/<int:pk>/ket-qua/", views.post_office_record, name="post_office_record"),
    path("buu-dien/da-chi-tra/", views.post_office_bulk_paid, name="post_office_bulk_paid"),
    path("tep-chi-tra/<int:pk>/tai-ve/", views.cycle_file_download, name="cycle_file_download"),
    path("tep-chi-tra/<int:pk>/tien-do/", views.cycle_file_progress, name="cycle_file_progress"),
]
