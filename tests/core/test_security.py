"""Login lockout, argon2 hashing, security headers and the production secret key."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings

from buudien.core.models import Role, User
from tests.conftest import PASSWORD, Tree


def _login(address: str, username: str, password: str) -> tuple[int, Client]:
    client = Client(REMOTE_ADDR=address)
    response = client.post("/login/", {"username": username, "password": password})
    return response.status_code, client


def test_repeated_failed_logins_from_one_address_are_throttled_there(
    tree: Tree, users: dict[str, User]
) -> None:
    for _ in range(5):
        _login("10.0.0.9", "diem", "sai-mat-khau")
    status, client = _login("10.0.0.9", "diem", PASSWORD)
    assert status == 429
    assert "_auth_user_id" not in client.session


def test_a_stranger_typing_a_name_does_not_lock_its_owner_out_elsewhere(
    tree: Tree, users: dict[str, User]
) -> None:
    for _ in range(8):
        _login("203.0.113.7", "diem", "doan-mo")
    status, client = _login("10.0.0.5", "diem", PASSWORD)
    assert status == 302
    assert "_auth_user_id" in client.session


def test_one_address_has_a_larger_budget_shared_by_all_names(
    tree: Tree, users: dict[str, User], settings: Any
) -> None:
    settings.BUUDIEN_LOGIN_ADDRESS_LIMIT = 6
    for name in ("a", "b", "c", "d", "e", "f"):
        _login("198.51.100.1", name, "sai")
    assert _login("198.51.100.1", "diem", PASSWORD)[0] == 429
    assert _login("198.51.100.2", "diem", PASSWORD)[0] == 302


def test_the_address_comes_from_the_trusted_proxy_header_when_configured(
    tree: Tree, users: dict[str, User], settings: Any
) -> None:
    settings.BUUDIEN_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.BUUDIEN_TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(5):
        Client(**proxy).post(
            "/login/",
            {"username": "diem", "password": "sai"},
            headers={"X-Forwarded-For": "1.2.3.4"},
        )
    other_citizen = Client(**proxy).post(
        "/login/",
        {"username": "diem", "password": PASSWORD},
        headers={"X-Forwarded-For": "5.6.7.8"},
    )
    assert other_citizen.status_code == 302


def test_a_good_login_lands_on_the_home_page_of_the_unit(
    tree: Tree, users: dict[str, User]
) -> None:
    client = Client()
    response = client.post("/login/", {"username": "diem", "password": PASSWORD}, follow=True)
    page = response.content.decode()
    assert "Điểm BĐ-VHX Đức Long" in page
    assert "Nhân viên điểm giao dịch" in page


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_passwords_are_hashed_with_argon2() -> None:
    assert make_password("mot-mat-khau").startswith("argon2$")


def test_pages_carry_a_content_security_policy(tree: Tree, users: dict[str, User]) -> None:
    response = Client().get("/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"


def test_post_without_csrf_token_is_refused(tree: Tree, users: dict[str, User]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(users[Role.ADMIN])
    assert client.post("/network/new/", {"code": "X"}).status_code == 403


def test_production_without_secret_key_stops_with_a_clear_message() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["BUUDIEN_ENV"] = "production"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django,os;os.environ['DJANGO_SETTINGS_MODULE']="
            "'buudien.settings';django.setup()",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_home_page_is_small() -> None:
    response = Client().get("/login/")
    assert len(response.content) < 20_000


def _production_settings(name: str) -> str:
    env = dict(os.environ, BUUDIEN_ENV="production", SECRET_KEY="x" * 50)
    result = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [
            sys.executable,
            "-c",
            "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='buudien.settings';"
            f"django.setup();from django.conf import settings;print(settings.{name})",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_production_sends_hsts_and_secure_cookies() -> None:
    assert int(_production_settings("SECURE_HSTS_SECONDS")) >= 31_536_000
    assert _production_settings("SESSION_COOKIE_SECURE") == "True"
    assert _production_settings("CSRF_COOKIE_SECURE") == "True"


def test_audit_records_keep_citizen_ids_and_phones_masked(
    tree: Tree, users: dict[str, User]
) -> None:
    from buudien.core import audit

    event = audit.record(
        actor=users[Role.ADMIN],
        action="test.changed",
        instance=tree.point_a1,
        before={"citizen_id": "004185001234", "phone": "0912345678", "name": "A"},
        after={"citizen_id": "004185009999", "authorised_id": "004190001111", "name": "B"},
    )
    event.refresh_from_db()
    stored = str(event.before) + str(event.after)
    for full in ("004185001234", "0912345678", "004185009999", "004190001111"):
        assert full not in stored
    assert event.before == {"citizen_id": "004******234", "phone": "0912***678", "name": "A"}
