"""The admin lockout page and the TOTP enrolment and verification steps."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from staffauth.forms import TokenForm

DEVICE_NAME = "管理画面ログイン"


def lockout(request, original_response=None, credentials=None):
    """django-axes' lockout response: a page in the admin's frame (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        cooloff = ngettext("%(hours)d 時間", "%(hours)d 時間", hours) % {"hours": hours}
    else:
        cooloff = ngettext("%(minutes)d 分", "%(minutes)d 分", minutes) % {"minutes": minutes}
    context = {
        **admin.site.each_context(request),
        "title": _("ログインを一時的に停止しています"),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff": cooloff,
    }
    return render(request, "staffauth/lockout.html", context, status=429)


def _next_url(request):
    """Where to go once verified: the page asked for, if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def _verified(request, device):
    """Mark this session as having passed the second factor."""
    # A new session key, as at any change of privilege.
    request.session.cycle_key()
    otp_login(request, device)
    return redirect(_next_url(request))


def _page(request, template, form, **extra):
    context = {**admin.site.each_context(request), "form": form, "next": _next_url(request)}
    context.update(extra)
    return render(request, template, context)


def _qr_svg(url):
    """The otpauth URL as an inline SVG: no image request, nothing the CSP blocks."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10)
    svg = image.to_string(encoding="unicode")
    label = _("認証アプリで読み取る QR コード")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" class="otp-qr" ', 1)


def _spaced(secret):
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@staff_member_required
def enrol(request):
    """A new staff member registers an authenticator app by scanning a QR code.

    Only reachable while the account has no confirmed device: a second device
    can be added only by HR in admin, so a stolen password alone cannot replace
    the one in the owner's hands.
    """
    user = request.user
    if user_has_device(user):
        return redirect(f"{reverse('staffauth:verify')}?{request.GET.urlencode()}")
    # One pending device per account, so the QR code stays the same on reload.
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        with transaction.atomic():
            if device.verify_token(form.cleaned_data["token"]):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                return _verified(request, device)
        form.add_error(
            "token",
            _(
                "確認コードが正しくありません。アプリに表示されている最新のコードを入力してください。"
            ),
        )
    secret = b32encode(device.bin_key).decode()
    return _page(
        request,
        "staffauth/enrol.html",
        form,
        title=_("2 段階認証の登録"),
        qr_svg=_qr_svg(device.config_url),
        secret=_spaced(secret),
    )


@never_cache
@staff_member_required
def verify(request):
    """A staff member with a device gives its current code before any admin page."""
    user = request.user
    devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
    if not devices:
        return redirect(f"{reverse('staffauth:enrol')}?{request.GET.urlencode()}")
    if user.is_verified():
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if form.is_valid():
        # Each wrong code makes the next try wait longer (django-otp's throttling).
        throttled = not any(device.verify_is_allowed()[0] for device in devices)
        with transaction.atomic():
            for device in devices:
                if device.verify_token(form.cleaned_data["token"]):
                    return _verified(request, device)
        if throttled:
            form.add_error(
                "token",
                _(
                    "誤ったコードが続いたため、しばらく入力を受け付けません。少し待ってからもう一度お試しください。"
                ),
            )
        else:
            form.add_error("token", _("確認コードが正しくありません。"))
    return _page(request, "staffauth/verify.html", form, title=_("2 段階認証"))
