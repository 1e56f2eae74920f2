"""Keeps staff who have not given a TOTP code this session out of admin."""

import functools
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import get_script_prefix, get_urlconf, reverse
from django_otp import user_has_device

# Pages an unverified staff member may still reach: signing in and out, and the
# two steps that verify them.
OPEN_ROUTES = ["admin:login", "admin:logout", "staffauth:enrol", "staffauth:verify"]


@functools.lru_cache(maxsize=16)
def _admin_paths(urlconf, script_prefix):
    """The admin prefix and the open pages under it.

    Cached per URLconf and script prefix, the two things the answer depends on
    (admin is not under i18n_patterns): reversing five names on every request
    was a quarter of the middleware stack's cost.
    """
    return reverse("admin:index"), {reverse(name) for name in OPEN_ROUTES}


class StaffOTPMiddleware:
    """Send unverified staff to enrolment (no device yet) or verification (a device).

    Applies to every page under /admin/ when STAFF_OTP_REQUIRED is on; needs
    django_otp's OTPMiddleware before it. Non-staff users never pass admin's own
    permission check, so they are left to it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.redirect_for(request) or self.get_response(request)

    def redirect_for(self, request):
        if not settings.STAFF_OTP_REQUIRED:
            return None
        prefix, open_paths = _admin_paths(get_urlconf(), get_script_prefix())
        if not request.path.startswith(prefix) or request.path in open_paths:
            return None
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return None
        if user.is_verified():
            return None
        step = "staffauth:verify" if user_has_device(user) else "staffauth:enrol"
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")


class IdleSessionMiddleware:
    """End a signed-in session after STAFF_SESSION_IDLE_SECONDS without a request.

    Setting the expiry on every signed-in response both shortens it and renews
    it, so the limit counts from the last request that used the session (every
    admin page does), not from login. Checked after the view, so the login
    response itself already carries the short expiry and a logout is left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A request that never opened its session (most public pages) cannot be a
        # signed-in one worth renewing, and is spared a database read.
        session = getattr(request, "session", None)
        if session is None or not session.accessed:
            return response
        if request.user.is_authenticated:
            request.session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
        return response
