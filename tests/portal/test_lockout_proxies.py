"""Admin lockout by (username, client address) that no one can dodge or turn against staff:
without a proxy, behind one, and with a forged X-Forwarded-For."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.auth import client_ip
from tests.factories import UserFactory

PASSWORD = "a-long-test-password"
PROXY = "10.0.0.2"  # our nginx, as gunicorn sees it
ATTACKER = "198.51.100.9"
STAFF = "203.0.113.50"


def request(remote_addr: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_proxy_the_address_is_the_peer_and_the_header_is_ignored(settings):
    settings.PROXY_COUNT = 0
    assert client_ip(request(ATTACKER)) == ATTACKER
    assert client_ip(request(ATTACKER, "192.0.2.1")) == ATTACKER


def test_behind_one_proxy_the_address_is_the_one_the_proxy_saw(settings):
    settings.PROXY_COUNT = 1
    assert client_ip(request(PROXY, STAFF)) == STAFF
    # nginx appends the peer it saw ($proxy_add_x_forwarded_for): a forged left part is ignored
    assert client_ip(request(PROXY, f"192.0.2.1, 192.0.2.2, {ATTACKER}")) == ATTACKER


def test_behind_two_proxies_the_outer_proxy_s_entry_counts(settings):
    settings.PROXY_COUNT = 2
    assert client_ip(request(PROXY, f"192.0.2.1, {ATTACKER}, 10.0.0.1")) == ATTACKER


def test_a_request_that_did_not_come_through_the_proxies_is_its_peer(settings):
    settings.PROXY_COUNT = 2
    assert client_ip(request(PROXY, "10.0.0.1")) == PROXY
    assert client_ip(request(PROXY)) == PROXY


# -- over HTTP, with django-axes ------------------------------------------------------------------
def login(username, password, remote_addr, forwarded=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        **extra,
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and response.url == reverse("admin:index")


@pytest.mark.django_db
def test_directly_an_attacker_rotating_x_forwarded_for_is_still_locked_out(settings):
    settings.PROXY_COUNT = 0
    nurse = UserFactory(username="nurse")
    statuses = [
        login("nurse", "wrong", ATTACKER, forwarded=f"192.0.2.{n}").status_code for n in range(6)
    ]
    assert statuses[:4] == [200] * 4 and statuses[4:] == [429, 429]
    assert login("nurse", PASSWORD, ATTACKER, forwarded="192.0.2.99").status_code == 429
    assert logged_in(login(nurse.username, PASSWORD, STAFF))  # the nurse, elsewhere: fine


@pytest.mark.django_db
def test_behind_a_proxy_a_forged_x_forwarded_for_neither_dodges_nor_shifts_the_lock(settings):
    settings.PROXY_COUNT = 1
    nurse = UserFactory(username="nurse")
    statuses = [
        login("nurse", "wrong", PROXY, forwarded=f"192.0.2.{n}, {ATTACKER}").status_code
        for n in range(6)
    ]
    assert statuses[4:] == [429, 429]  # rotating the forged part did not help
    # Forging the nurse's own address only puts it to the left of the real one: no effect.
    assert login("nurse", "wrong", PROXY, forwarded=f"{STAFF}, {ATTACKER}").status_code == 429
    # The nurse, at her own address through the same proxy, is not locked out.
    assert logged_in(login(nurse.username, PASSWORD, PROXY, forwarded=STAFF))


@pytest.mark.django_db
def test_behind_a_proxy_with_no_proxy_count_one_attacker_locks_staff_out(settings):
    """Why check --deploy warns about it (portal.W002): everyone shares the proxy's address."""
    settings.PROXY_COUNT = 0
    nurse = UserFactory(username="nurse")
    for _ in range(5):
        login("nurse", "wrong", PROXY, forwarded=ATTACKER)
    assert not logged_in(login(nurse.username, PASSWORD, PROXY, forwarded=STAFF))


# -- check --deploy -------------------------------------------------------------------------------
def deploy_warnings(monkeypatch, **env) -> set[str]:
    from portal import checks

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    found = (
        checks.proxy_count_behind_a_proxy(None)
        + checks.admin_two_factor_required(None)
        + checks.gunicorn_bound_to_loopback(None)
    )
    return {w.id for w in found}


def test_check_deploy_warns_about_each_unsafe_setting(settings, monkeypatch):
    settings.BEHIND_PROXY, settings.PROXY_COUNT, settings.ADMIN_REQUIRE_OTP = True, 0, False
    found = deploy_warnings(monkeypatch, GUNICORN_BIND="0.0.0.0:8000")
    assert found == {"portal.W002", "portal.W003", "portal.W004"}


def test_check_deploy_is_quiet_when_the_proxy_setup_is_right(settings, monkeypatch):
    settings.BEHIND_PROXY, settings.PROXY_COUNT, settings.ADMIN_REQUIRE_OTP = True, 1, True
    assert deploy_warnings(monkeypatch, GUNICORN_BIND="127.0.0.1:8000") == set()
    settings.BEHIND_PROXY, settings.PROXY_COUNT = False, 0  # clients connect directly
    assert deploy_warnings(monkeypatch, GUNICORN_BIND="unix:/run/portal.sock") == set()


@pytest.mark.parametrize(
    ("bind", "public"),
    [
        ("127.0.0.1:8000", False),
        ("localhost:8000", False),
        ("[::1]:8000", False),
        ("unix:/run/portal/gunicorn.sock", False),
        ("0.0.0.0:8000", True),
        ("[::]:8000", True),
        ("192.0.2.10:8000", True),
        ("portal.example.org:8000", True),
    ],
)
def test_which_gunicorn_binds_count_as_public(bind, public):
    from portal.checks import _public_binds

    assert bool(_public_binds(bind)) is public
