"""Log-in and log-out pages, and django-axes locking out repeated failures."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "matkhau-demo-123"
WRONG_PASSWORD_MESSAGE = "Tên đăng nhập hoặc mật khẩu không đúng."
LOCKOUT_TITLE = "Tạm khóa đăng nhập"
LOCKOUT_MESSAGE = "Bạn đã nhập sai mật khẩu quá nhiều lần."


@pytest.fixture
def axes_on(settings):
    """django-axes is off in tests (conftest); these tests turn it on."""
    settings.AXES_ENABLED = True


def _log_in(client, username: str, password: str, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _logged_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_the_login_page_is_in_vietnamese(client):
    response = client.get(reverse("login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "<h1>Đăng nhập</h1>" in html
    assert "Tên đăng nhập" in html
    assert "Mật khẩu" in html
    assert WRONG_PASSWORD_MESSAGE not in html


def test_the_right_password_logs_in_and_opens_the_home_page(client, officer):
    response = _log_in(client, "canbo", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert _logged_in(client)


def test_the_login_returns_to_the_page_asked_for(client, officer):
    response = client.post(
        f"{reverse('login')}?next=/doi-tuong/",
        {"username": "canbo", "password": PASSWORD, "next": "/doi-tuong/"},
    )

    assert response["Location"] == "/doi-tuong/"


def test_the_login_does_not_return_to_another_site(client, officer):
    response = client.post(
        reverse("login"),
        {"username": "canbo", "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("username", ["canbo", "khong-co-ai"])
def test_a_wrong_password_or_unknown_user_gets_the_same_vietnamese_message(
    client, officer, username
):
    response = _log_in(client, username, "sai-mat-khau")

    assert response.status_code == 200
    assert WRONG_PASSWORD_MESSAGE in response.content.decode()
    assert not _logged_in(client)


def test_a_page_asks_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("person_list"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/doi-tuong/"


def test_the_logout_button_logs_out_and_returns_to_the_login_page(client, officer):
    client.force_login(officer)
    home = client.get(reverse("home")).content.decode()

    response = client.post(reverse("logout"))

    assert f'action="{reverse("logout")}"' in home
    assert "Đăng xuất" in home
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not _logged_in(client)


def test_logout_by_get_is_refused(client, officer):
    client.force_login(officer)

    response = client.get(reverse("logout"))

    assert response.status_code == 405
    assert _logged_in(client)


def test_the_limit_is_five_failures():
    assert settings.AXES_FAILURE_LIMIT == 5


def _fail(client, username: str, times: int, **extra):
    responses = [_log_in(client, username, "sai-mat-khau", **extra) for _ in range(times)]
    return responses[-1]


def test_failures_below_the_limit_only_warn(client, officer, axes_on):
    response = _fail(client, "canbo", settings.AXES_FAILURE_LIMIT - 1)

    assert response.status_code == 200
    assert WRONG_PASSWORD_MESSAGE in response.content.decode()
    assert _log_in(client, "canbo", PASSWORD).status_code == 302


def test_repeated_failures_lock_the_user_out_with_a_vietnamese_page(client, officer, axes_on):
    response = _fail(client, "canbo", settings.AXES_FAILURE_LIMIT)

    html = response.content.decode()
    assert response.status_code == 429
    assert LOCKOUT_TITLE in html
    assert LOCKOUT_MESSAGE in html
    assert '<html lang="vi">' in html


def test_the_right_password_is_refused_while_locked_out(client, officer, axes_on):
    _fail(client, "canbo", settings.AXES_FAILURE_LIMIT)

    response = _log_in(client, "canbo", PASSWORD)

    assert response.status_code == 429
    assert LOCKOUT_TITLE in response.content.decode()
    assert not _logged_in(client)


def test_the_admin_login_is_locked_too(client, officer, axes_on):
    officer.is_staff = True
    officer.save()
    _fail(client, "canbo", settings.AXES_FAILURE_LIMIT)

    response = client.post(
        reverse("admin:login"), {"username": "canbo", "password": PASSWORD, "next": "/admin/"}
    )

    assert response.status_code == 429
    assert not _logged_in(client)


def test_a_lockout_is_per_user_and_address(client, officer, police, axes_on):
    _fail(client, "canbo", settings.AXES_FAILURE_LIMIT)

    other_user = _log_in(client, "congan", PASSWORD)
    client.logout()
    other_address = _log_in(client, "canbo", PASSWORD, REMOTE_ADDR="10.0.0.9")

    assert other_user.status_code == 302
    assert other_address.status_code == 302


def test_a_success_resets_the_count_of_failures(client, officer, axes_on):
    _fail(client, "canbo", settings.AXES_FAILURE_LIMIT - 1)
    assert _log_in(client, "canbo", PASSWORD).status_code == 302
    client.logout()

    response = _fail(client, "canbo", settings.AXES_FAILURE_LIMIT - 1)

    assert response.status_code == 200


def test_the_lockout_page_says_how_long_from_the_settings(client, officer, axes_on, settings):
    settings.AXES_COOLOFF_TIME = 0.25  # hours
    response = _fail(client, officer.username, 5)
    assert "hãy thử lại sau 15 phút" in response.content.decode()


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "1.2.3.4", "10.0.0.9"),
        (1, "1.2.3.4", "1.2.3.4"),
        (1, "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # the client forged the left-most entry
        (2, "1.2.3.4, 10.0.0.2", "1.2.3.4"),
        (2, "1.2.3.4", "10.0.0.9"),
    ],
)
def test_the_locked_address_is_the_one_our_proxy_saw(rf, settings, count, forwarded, expected):
    from yenson.net import client_ip

    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.9")
    assert client_ip(request) == expected
