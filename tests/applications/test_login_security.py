"""Admin sign-in hardening: lockout after repeated failures, TOTP for staff, idle expiry.

The suite runs over plain HTTP, where STAFF_OTP_REQUIRED defaults to off; the
tests of the second factor switch it on with the ``settings`` fixture, as
production (HTTPS) has it.
"""

import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "correct-horse-battery-9"
LOCKED = "ログインを一時的に停止しています"
ENROL = "/admin/otp/enrol/"
VERIFY = "/admin/otp/verify/"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    """A quick hasher: these tests check passwords dozens of times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser(
        "jinji", "jinji@kouryu.metro.tokyo.example", PASSWORD
    )


def log_in(client, password, address="192.0.2.10", username="jinji"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def is_logged_in(client):
    return "_auth_user_id" in client.session


# --- Lockout (django-axes). ----------------------------------------------------------


def test_five_failures_lock_the_username_and_address_even_for_the_right_password(client, staff):
    for _ in range(4):
        assert log_in(client, "wrong-password").status_code == 200
    fifth = log_in(client, "wrong-password")
    assert fifth.status_code == 429
    html = fifth.content.decode()
    assert LOCKED in html
    assert "5 回続けて失敗" in html
    assert "1 時間後にもう一度お試しください" in html
    sixth = log_in(client, PASSWORD)
    assert sixth.status_code == 429
    assert LOCKED in sixth.content.decode()
    assert not is_logged_in(client)


def test_the_lockout_page_is_in_the_admin_frame_with_nothing_inline(client, staff):
    for _ in range(5):
        response = log_in(client, "wrong-password")
    html = response.content.decode()
    assert "東京都 交流受入ポータル 管理" in html
    assert html.count("<h1") == 1
    assert not re.search(r"<style[\s>]|\sstyle=|<script(?![^>]*src=)", html)


def test_another_address_is_not_locked_out(client, staff):
    for _ in range(5):
        log_in(client, "wrong-password")
    response = log_in(client, PASSWORD, address="198.51.100.7")
    assert response.status_code == 302
    assert is_logged_in(client)


def test_another_username_from_the_same_address_is_not_locked_out(client, staff, django_user_model):
    django_user_model.objects.create_user("kyoku", password=PASSWORD, is_staff=True)
    for _ in range(5):
        log_in(client, "wrong-password")
    assert log_in(client, PASSWORD, username="kyoku").status_code == 302


def test_a_successful_login_resets_the_count(client, staff):
    for _ in range(4):
        log_in(client, "wrong-password")
    assert log_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert log_in(client, "wrong-password").status_code == 200
    assert log_in(client, PASSWORD).status_code == 302


def test_the_lockout_ends_after_an_hour(client, staff):
    for _ in range(5):
        log_in(client, "wrong-password")
    assert log_in(client, PASSWORD).status_code == 429
    # The clock moves on: the recorded failures are now older than the cool-off.
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=61)
        attempt.save()
    assert log_in(client, PASSWORD).status_code == 302


# --- Two-factor login (django-otp), on as in production. ------------------------------


@pytest.fixture
def otp_required(settings):
    settings.STAFF_OTP_REQUIRED = True
    return settings


def admin_pages():
    """Every admin page a staff member might open first: index, lists, add forms."""
    pages = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        pages.append(reverse("admin:{}_{}_add".format(*info)))
    return pages


def current_code(device, shift=0):
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{(code + shift) % 10**device.digits:0{device.digits}d}"


def confirmed_device(user):
    return TOTPDevice.objects.create(user=user, name="管理画面ログイン", confirmed=True)


def test_staff_without_a_device_are_sent_to_enrolment_from_every_admin_page(
    client, staff, otp_required
):
    client.force_login(staff)
    pages = admin_pages()
    assert len(pages) > 20
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(f"{ENROL}?next="), page


def test_staff_with_a_device_are_asked_for_the_code_on_every_admin_page(
    client, staff, otp_required
):
    confirmed_device(staff)
    client.force_login(staff)
    for page in admin_pages():
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(f"{VERIFY}?next="), page
    # Posting to admin is refused the same way.
    response = client.post(reverse("admin:bureaus_bureau_add"), {})
    assert response["Location"].startswith(VERIFY)


def test_a_password_login_leads_new_staff_to_enrolment(client, staff, otp_required):
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0] == f"{ENROL}?next=%2Fadmin%2F"
    html = response.content.decode()
    assert "2 段階認証の登録" in html
    assert "<svg" in html


def test_enrolment_with_a_valid_code_confirms_the_device_and_opens_admin(
    client, staff, otp_required
):
    client.force_login(staff)
    page = client.get(f"{ENROL}?next=/admin/bureaus/duty/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    html = page.content.decode()
    # The QR code inline, the key written out for typing by hand, and nothing the
    # site's policy (style-src 'self', scripts from files only) would block.
    assert re.search(r'<svg role="img" aria-label="[^"]+"', html)
    secret = re.search(r'<code class="otp-secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert len(secret.replace(" ", "")) == 32
    assert not re.search(r"<style[\s>]|\sstyle=|<script(?![^>]*src=)", html)
    # Reloading keeps the same pending device, so the scanned code stays valid.
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=staff).count() == 1

    response = client.post(ENROL, {"token": current_code(device), "next": "/admin/bureaus/duty/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/bureaus/duty/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/bureaus/duty/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_enrolment_refuses_a_wrong_code(client, staff, otp_required):
    client.force_login(staff)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=staff)
    response = client.post(ENROL, {"token": current_code(device, shift=1)})
    assert response.status_code == 200
    assert "確認コードが正しくありません" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/admin/").status_code == 302
    response = client.post(ENROL, {"token": "abcdef"})
    assert "半角数字 6 桁" in response.content.decode()


def test_enrolment_is_closed_once_a_device_is_confirmed(client, staff, otp_required):
    confirmed_device(staff)
    client.force_login(staff)
    response = client.get(ENROL)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_verification_with_the_right_code_opens_admin_and_a_wrong_one_does_not(
    client, staff, otp_required
):
    device = confirmed_device(staff)
    client.force_login(staff)
    wrong = client.post(VERIFY, {"token": current_code(device, shift=1), "next": "/admin/"})
    assert wrong.status_code == 200
    assert "確認コードが正しくありません" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302
    # Wrong codes slow further tries down (django-otp's throttling).
    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.save()
    right = client.post(VERIFY, {"token": current_code(device), "next": "/admin/"})
    assert right.status_code == 302
    assert right["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get(reverse("admin:bureaus_bureau_changelist")).status_code == 200


def test_repeated_wrong_codes_are_throttled(client, staff, otp_required):
    device = confirmed_device(staff)
    client.force_login(staff)
    client.post(VERIFY, {"token": current_code(device, shift=1)})
    response = client.post(VERIFY, {"token": current_code(device)})
    assert response.status_code == 200
    assert "しばらく入力を受け付けません" in response.content.decode()


def test_verification_never_sends_staff_off_the_site(client, staff, otp_required):
    device = confirmed_device(staff)
    client.force_login(staff)
    response = client.post(VERIFY, {"token": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"


def test_the_second_factor_pages_need_a_password_login_first(client, otp_required):
    for page in (ENROL, VERIFY):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


def test_login_logout_and_the_public_site_stay_open_to_unverified_staff(
    client, staff, otp_required
):
    client.force_login(staff)
    assert client.get("/").status_code == 200
    assert client.get(LOGIN).status_code == 302  # admin's own "already signed in"
    assert client.post(reverse("admin:logout")).status_code == 200
    assert not is_logged_in(client)


def test_removing_the_device_ends_verified_sessions_and_reopens_enrolment(
    client, staff, otp_required
):
    device = confirmed_device(staff)
    client.force_login(staff)
    client.post(VERIFY, {"token": current_code(device)})
    assert client.get("/admin/").status_code == 200
    call_command("otp_reset", "jinji", stdout=open("/dev/null", "w"))
    assert not TOTPDevice.objects.filter(user=staff).exists()
    response = client.get("/admin/")
    assert response["Location"].startswith(ENROL)


def test_otp_reset_names_an_unknown_account():
    with pytest.raises(Exception, match="nobody"):
        call_command("otp_reset", "nobody")


def test_without_the_requirement_admin_opens_after_the_password_alone(client, staff):
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_hr_sees_devices_in_admin_without_their_secrets(client, staff, otp_required):
    device = confirmed_device(staff)
    client.force_login(staff)
    client.post(VERIFY, {"token": current_code(device)})
    url = reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert device.key not in response.content.decode()


# --- Idle sessions. -----------------------------------------------------------------


def test_a_signed_in_session_ends_after_thirty_idle_minutes_and_each_request_renews_it(
    client, staff, settings
):
    assert settings.STAFF_SESSION_IDLE_SECONDS == 1800
    response = log_in(client, PASSWORD)
    assert response.cookies["sessionid"]["max-age"] == 1800
    assert client.session.get_expiry_age() == 1800
    first = client.session.get_expiry_date()
    time.sleep(1.1)
    assert client.get("/admin/").cookies["sessionid"]["max-age"] == 1800
    assert client.session.get_expiry_date() > first


def test_an_expired_staff_session_is_signed_out(client, staff):
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_a_visitors_session_keeps_its_usual_lifetime(client, settings):
    """The shortlist of an anonymous visitor is not cut to the staff limit."""
    client.get("/")
    session = client.session
    session["probe"] = 1
    session.save()
    client.get("/")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert settings.SESSION_COOKIE_AGE > 1800


# --- In a real browser. -------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_new_staff_enrol_an_authenticator_in_chromium_without_policy_errors(
    page, django_user_model, settings
):
    from playwright.sync_api import expect

    settings.STAFF_OTP_REQUIRED = True
    user = django_user_model.objects.create_superuser("jinji", "jinji@example.com", PASSWORD)
    csp_errors = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto("/admin/")
    page.get_by_label("ユーザー名").fill("jinji")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="2 段階認証の登録")).to_be_visible()
    expect(page.get_by_role("img", name="認証アプリで読み取る QR コード")).to_be_visible()

    device = TOTPDevice.objects.get(user=user)
    page.get_by_label("確認コード（6 桁）").fill(current_code(device))
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_role("heading", name="掲載内容の管理")).to_be_visible()
    assert csp_errors == []
