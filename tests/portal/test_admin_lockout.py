"""The admin login: lockout after repeated wrong passwords, unlock by staff, optional TOTP."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "a-long-test-password"
pytestmark = pytest.mark.django_db


def login(client, username, password, ip="203.0.113.7", **extra):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index"), **extra},
        REMOTE_ADDR=ip,
    )


def is_logged_in(response) -> bool:
    return response.status_code == 302 and response.url == reverse("admin:index")


def test_the_right_password_logs_a_staff_member_in():
    from django.test import Client

    user = UserFactory(username="nurse")
    assert is_logged_in(login(Client(), user.username, PASSWORD))


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(client):
    user = UserFactory(username="nurse")
    for _ in range(4):
        response = login(client, user.username, "wrong-password")
        assert response.status_code == 200
        assert "correct username and password" in response.text
    response = login(client, user.username, "wrong-password")
    assert response.status_code == 429
    assert "Sign-in locked" in response.text
    assert "locked after 5 wrong attempts" in response.text
    assert "axes_reset_username" in response.text
    assert "60 minutes" in response.text


def test_once_locked_even_the_right_password_is_refused(client):
    user = UserFactory(username="nurse")
    for _ in range(5):
        login(client, user.username, "wrong-password")
    response = login(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302  # back to the login page


def test_the_lock_is_per_username_and_address(client):
    """Another address, or another account from the same address, can still sign in."""
    user = UserFactory(username="nurse")
    colleague = UserFactory(username="doctor")
    for _ in range(5):
        login(client, user.username, "wrong-password", ip="203.0.113.7")
    from django.test import Client

    assert is_logged_in(login(Client(), user.username, PASSWORD, ip="198.51.100.20"))
    assert is_logged_in(login(Client(), colleague.username, PASSWORD, ip="203.0.113.7"))


def test_staff_unlock_with_the_management_command(client):
    user = UserFactory(username="nurse")
    for _ in range(5):
        login(client, user.username, "wrong-password")
    assert login(client, user.username, PASSWORD).status_code == 429
    call_command("axes_reset_username", "nurse")
    assert is_logged_in(login(client, user.username, PASSWORD))


def test_staff_see_and_delete_lockouts_in_the_admin(client):
    from axes.models import AccessAttempt

    user = UserFactory(username="nurse")
    for _ in range(5):
        login(client, user.username, "wrong-password")
    admin_user = UserFactory(username="itadmin", is_superuser=True)
    from django.test import Client

    it = Client()
    it.force_login(admin_user)
    changelist = it.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200
    assert "nurse" in changelist.text
    attempt = AccessAttempt.objects.get(username="nurse")
    response = it.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert is_logged_in(login(client, user.username, PASSWORD))


def test_test_client_login_still_works_without_a_request():
    """client.login() calls authenticate() without a request; the lockout backend lets it by."""
    from django.test import Client

    UserFactory(username="nurse")
    assert Client().login(username="nurse", password=PASSWORD)
    assert not Client().login(username="nurse", password="wrong-password")


# == Two-factor (django-otp TOTP) ==


def totp_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def current_code(device) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def test_the_login_page_offers_an_authenticator_code_field(client):
    response = client.get(reverse("admin:login"))
    assert 'name="otp_token"' in response.text
    assert "Only if you have set up two-factor sign-in" in response.text


def test_staff_with_an_authenticator_must_give_its_code(client):
    user = UserFactory(username="nurse")
    device = totp_device(user)
    response = login(client, user.username, PASSWORD)
    assert response.status_code == 200
    assert "Enter the 6-digit code" in response.text
    assert is_logged_in(login(client, user.username, PASSWORD, otp_token=current_code(device)))
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_wrong_authenticator_code_is_refused(client):
    user = UserFactory(username="nurse")
    device = totp_device(user)
    wrong = "000000" if current_code(device) != "000000" else "111111"
    response = login(client, user.username, PASSWORD, otp_token=wrong)
    assert response.status_code == 200
    assert "That code is not right" in response.text
    assert "_auth_user_id" not in client.session


def test_a_password_only_session_cannot_use_the_admin_once_a_device_is_set_up(client):
    user = UserFactory(username="nurse")
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == 200
    totp_device(user)
    assert client.get(reverse("admin:index")).status_code == 302


@override_settings(ADMIN_REQUIRE_OTP=True)
def test_when_two_factor_is_required_staff_without_a_device_are_told_to_get_one(client):
    user = UserFactory(username="nurse")
    response = login(client, user.username, PASSWORD)
    assert response.status_code == 200
    assert "no authenticator set up" in response.text
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == 302


# == Staff session expiry ==


def test_a_staff_session_ends_after_the_configured_hours_even_with_the_browser_open(settings):
    import datetime as dt

    import time_machine
    from django.test import Client

    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    user = UserFactory(username="nurse")
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        assert is_logged_in(login(client, user.username, PASSWORD))
        clock.shift(dt.timedelta(hours=7, minutes=50))
        assert client.get(reverse("admin:index")).status_code == 200
        # Using the admin does not stretch the session: 8 hours after signing in, it is over.
        clock.shift(dt.timedelta(minutes=11))
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
