"""The client's address behind load balancers: what the submission limit and the login
lockout count under (config/client.py)."""

from types import SimpleNamespace

import pytest
from django.test import Client

from applications.models import Inquiry
from core.client import client_address
from tests.applications.helpers import form_data

BALANCER = "10.0.0.5"


def request_from(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return SimpleNamespace(META=meta)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        # Connected directly: the header is the client's own words.
        (0, None, BALANCER),
        (0, "203.0.113.7", BALANCER),
        # One balancer: the entry it appended, whatever the client put before it.
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        (1, "  203.0.113.7  ", "203.0.113.7"),
        (1, "2001:db8::7", "2001:db8::7"),
        (1, "2001:0db8:0000::0007", "2001:db8::7"),  # One spelling per address.
        # Two proxies (a CDN, then the balancer): the second entry from the right.
        (2, "198.51.100.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7, 10.0.0.2", "203.0.113.7"),
        # Too few entries, none, or nonsense: the proxy's own address.
        (2, "10.0.0.2", BALANCER),
        (1, None, BALANCER),
        (1, "", BALANCER),
        (1, "unknown", BALANCER),
        (1, "203.0.113.7, <script>", BALANCER),
        (1, "203.0.113.7,", BALANCER),
    ],
)
def test_the_client_address_is_the_entry_the_outermost_trusted_proxy_wrote(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXIES = proxies
    assert client_address(request_from(BALANCER, forwarded)) == expected


def consult(client, settings):
    """Send one pre-consultation request through the form; the final status code."""
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    assert client.post("/consultation/", form_data(client)).status_code == 302
    token = client.get("/consultation/confirm/").context["draft_digest"]
    return client.post("/consultation/confirm/", {"draft": token}).status_code


@pytest.mark.django_db
def test_behind_a_balancer_each_visitor_has_their_own_submission_allowance(settings):
    settings.TRUSTED_PROXIES = 1
    settings.CONSULTATION_SUBMISSIONS_PER_HOUR = 1
    first = Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert consult(first, settings) == 302
    assert consult(first, settings) == 429
    # Another visitor through the same balancer, even one who forges the header.
    other = Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.9")
    assert consult(other, settings) == 302
    assert Inquiry.objects.count() == 2


@pytest.mark.django_db
def test_behind_a_balancer_a_lockout_holds_one_visitor_not_everyone(settings, django_user_model):
    settings.TRUSTED_PROXIES = 1
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    django_user_model.objects.create_superuser("jinji", "jinji@example.com", "right-pass-12345")

    def log_in(client, password):
        credentials = {"username": "jinji", "password": password, "next": "/admin/"}
        return client.post("/admin/login/", credentials).status_code

    guesser = Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(guesser, "wrong")
    assert log_in(guesser, "right-pass-12345") == 429
    colleague = Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert log_in(colleague, "right-pass-12345") == 302
