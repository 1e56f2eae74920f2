"""Staff accounts, groups and TOTP devices in admin, in Japanese throughout.

Django names each permission in English when it creates it ("Can add 局"), and
django-otp writes its device's labels and help texts as plain English strings; no
catalogue reaches either. The admins here show them in Japanese instead, without
changing stored data or the apps' migrations.
"""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

BUILT_IN_ACTIONS = {"add": "追加", "change": "変更", "delete": "削除", "view": "閲覧"}


def permission_label(permission):
    """「事前相談 | 事前相談の申込み | 変更」: the model and the action in Japanese; a
    permission of the project's own (its name already Japanese) keeps its name."""
    content_type = permission.content_type
    action, _, model_name = permission.codename.partition("_")
    if action in BUILT_IN_ACTIONS and model_name == content_type.model:
        return f"{content_type} | {BUILT_IN_ACTIONS[action]}"
    return f"{content_type} | {permission.name}"


class JapanesePermissions:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_label
        return field


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class StaffUserAdmin(JapanesePermissions, UserAdmin):
    pass


@admin.register(Group)
class StaffGroupAdmin(JapanesePermissions, GroupAdmin):
    pass


class ConfirmedFilter(admin.SimpleListFilter):
    title = "確認"
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("1", "確認済み"), ("0", "未確認")]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(confirmed=self.value() == "1")
        return queryset


DEVICE_LABELS = {
    "user": ("職員", "この認証アプリを使う職員のアカウント。"),
    "name": ("名前", "見分けるための名前（例: 管理画面ログイン）。"),
    "confirmed": ("確認済み", "登録時に確認コードで確かめ、ログインに使えるもの。"),
    "key": ("秘密鍵", "認証アプリと共有する鍵（16 進数、40 バイトまで）。"),
    "step": ("コードの間隔（秒）", "確認コードが変わる間隔。"),
    "t0": ("数え始めの時刻（秒）", "間隔を数え始める時刻（1970 年 1 月 1 日からの秒数）。"),
    "digits": ("コードの桁数", "確認コードの桁数。"),
    "tolerance": ("許す前後の間隔の数", "前後いくつの間隔のコードまで受け付けるか。"),
    "drift": ("時計のずれ（間隔の数）", "認証アプリの時計がこのサーバーとずれている間隔の数。"),
    "last_t": ("最後に受け付けたコードの時刻", "次に受け付けるのはこれより後のコードだけです。"),
    "throttling_failure_timestamp": ("最後に失敗した日時", "空欄なら、続けての失敗はありません。"),
    "throttling_failure_count": ("続けて失敗した回数", ""),
}
DEVICE_SECTIONS = {
    "Identity": "認証アプリ",
    "Timestamps": "日時",
    "Configuration": "設定",
    "State": "状態",
    "Throttling": "失敗の制限",
}


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class StaffTOTPDeviceAdmin(TOTPDeviceAdmin):
    """django-otp's device admin with Japanese labels, sections and columns."""

    list_display = ["staff", "device_name", "created", "last_used", "is_confirmed"]
    list_filter = [ConfirmedFilter]
    readonly_fields = ["created", "last_used"]
    search_help_text = "職員のユーザー名またはメールアドレスで探せます。"

    @admin.display(description="職員", ordering="user__username")
    def staff(self, device):
        return device.user

    @admin.display(description="名前", ordering="name")
    def device_name(self, device):
        return device.name

    @admin.display(description="登録日時", ordering="created_at")
    def created(self, device):
        return device.created_at or self.get_empty_value_display()

    @admin.display(description="最後に使った日時", ordering="last_used_at")
    def last_used(self, device):
        return device.last_used_at or self.get_empty_value_display()

    @admin.display(description="確認済み", boolean=True, ordering="confirmed")
    def is_confirmed(self, device):
        return device.confirmed

    def get_list_display(self, request):
        return self.list_display  # never the QR code link: the key stays hidden

    def get_fieldsets(self, request, obj=None):
        renamed = {"created_at": "created", "last_used_at": "last_used"}
        return [
            (
                DEVICE_SECTIONS.get(title, title),
                {**options, "fields": [renamed.get(f, f) for f in options["fields"]]},
            )
            for title, options in super().get_fieldsets(request, obj)
            if "qrcode_link" not in options["fields"]
        ]

    def get_form(self, request, obj=None, **kwargs):
        kwargs["labels"] = {name: label for name, (label, _) in DEVICE_LABELS.items()}
        kwargs["help_texts"] = {name: text for name, (_, text) in DEVICE_LABELS.items()}
        return super().get_form(request, obj, **kwargs)


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class StaffAccessAttemptAdmin(AccessAttemptAdmin):
    """django-axes' list of login attempts, its two unnamed columns named in Japanese."""

    @admin.display(description="状態")
    def status(self, obj):
        remaining = settings.AXES_FAILURE_LIMIT - obj.failures_since_start
        return f"あと {remaining} 回" if remaining > 0 else "ロックアウト中"

    @admin.display(description="有効期限")
    def expiration(self, obj):
        return super().expiration(obj)
