"""Login lockout, argon2 hashing, security headers and the production secret key."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings

from buudien.core.models import Role, User
from tests.conftest import PASSWORD, Tree


def test_repeated_failed_logins_lock_the_account(tree: Tree, users: dict[str, User]) -> None:
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "diem", "password": "sai-mat-khau"})
    locked = client.post("/login/", {"username": "diem", "password": PASSWORD})
    assert locked.status_code == 429
    assert "tạm bị khóa" in locked.content.decode()
    assert "_auth_user_id" not in client.session


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
