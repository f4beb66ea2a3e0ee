from django.urls import path

from documents import views

urlpatterns = [
    path("<int:pk>/tai-ve/", views.download, name="generated_file_download"),
    path("<int:pk>/tien-do/", views.progress, name="generated_file_progress"),
]
