"""URLs: the officer's pages, the admin, log-in and log-out."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from reports import dashboard_views
from reports import report_views as monthly_report_views
from reports import views as report_views

admin.site.site_header = _("Chi trả ASXH – Quản trị")
admin.site.site_title = _("Chi trả ASXH")
admin.site.index_title = _("Quản trị dữ liệu")


def favicon(request: HttpRequest) -> HttpResponse:
    """Pages without the icon link (the admin's, a browser asking on its own) find it here."""
    return redirect(static("favicon.svg"), permanent=True)


urlpatterns = [
    path("favicon.ico", favicon),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", dashboard_views.dashboard, name="home"),
    path("thong-bao/<int:pk>/da-doc/", dashboard_views.notice_read, name="notice_read"),
    path("han-gui/", dashboard_views.deadline_badge, name="deadline_badge"),
    path("tep/", report_views.downloads, name="downloads"),
    path("tep/", include("documents.urls")),
    path("bao-cao-thang/", monthly_report_views.monthly_report, name="monthly_report"),
    path(
        "bao-cao-thang/lap/",
        monthly_report_views.monthly_report_build,
        name="monthly_report_build",
    ),
    path("danh-sach-dang-ky/", include("reports.urls")),
    path("ky-chi-tra/", include("payments.urls")),
    path("", include("payments.post_office_urls")),
    path("", include("desk.urls")),
    path("", include("registration.urls")),
]
