"""Security headers under the HTTPS settings production runs with, on every page."""

import re

import pytest

from tests.conftest import all_public_paths
from tests.core.support import assert_security_headers

pytestmark = pytest.mark.django_db


def assert_nothing_inline_the_policy_blocks(response, path):
    """style-src 'self' and script-src 'self' refuse inline styles and scripts."""
    html = response.content.decode()
    assert not re.search(r"<style[\s>]", html), path
    assert not re.search(r"\sstyle=", html), path
    assert not re.search(r"\son[a-z]+=", html), path
    for attributes in re.findall(r"<script([^>]*)>", html):
        assert "src=" in attributes, path


def test_every_public_page_sends_the_security_headers_over_https(client, production):
    paths = all_public_paths()
    assert len(paths) == 2 * (12 + 5 + 8 + 25)
    for path in paths:
        response = client.get(path, secure=True)
        assert response.status_code == 200, path
        assert_security_headers(response, path)
        assert_nothing_inline_the_policy_blocks(response, path)


def test_the_admin_login_page_sends_the_security_headers(client, production):
    response = client.get("/admin/login/", secure=True)
    assert response.status_code == 200
    assert_security_headers(response, "/admin/login/")
    assert response.cookies["csrftoken"]["secure"]


def test_plain_http_is_redirected_permanently_to_https(client, production):
    for path in [*all_public_paths(), "/admin/login/", "/no-such-page/"]:
        response = client.get(path)
        assert response.status_code == 301, path
        assert response["Location"] == f"https://testserver{path}", path
        assert "Strict-Transport-Security" not in response  # Only ever sent over HTTPS.


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/health/", "ok"),
        ("/health/live/", "alive"),
        ("/health/live", "alive"),
        ("/health/ready/", "ready"),
        ("/health/ready", "ready"),
    ],
)
def test_health_answers_over_plain_http_for_load_balancers(client, production, path, status):
    response = client.get(path)
    assert response.status_code == 200
    assert response.json()["status"] == status
    secure = client.get(path, secure=True)
    assert secure.status_code == 200
    assert "Strict-Transport-Security" in secure


@pytest.mark.parametrize("path", ["/consultation/", "/en/consultation/"])
def test_the_forms_csrf_cookie_is_secure_and_same_site_lax(client, production, path):
    response = client.get(path, secure=True)
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"


def test_the_admin_session_cookie_is_secure_http_only_and_same_site_lax(
    client, production, django_user_model
):
    django_user_model.objects.create_superuser("jinji", "jinji@example.com", "pw-not-used-12")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "jinji", "password": "pw-not-used-12", "next": "/admin/"},
        secure=True,
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
