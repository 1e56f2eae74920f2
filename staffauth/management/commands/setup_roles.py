"""Create or refresh the back-office groups and their permissions (idempotent)."""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from staffauth.roles import BUREAU_STAFF_GROUP, EDITOR_GROUP, HR_GROUP

# The apps whose models are public content (the central window is core's).
CONTENT_APPS = ("core", "bureaus", "portal")


def permissions(app_labels=(), codenames=()):
    chosen = Permission.objects.none()
    if app_labels:
        chosen |= Permission.objects.filter(content_type__app_label__in=app_labels)
    if codenames:
        chosen |= Permission.objects.filter(codename__in=codenames)
    return chosen


class Command(BaseCommand):
    help = "管理画面の役割（人事課・掲載内容の編集者・局の担当者）と権限を設定します。"

    @transaction.atomic
    def handle(self, *args, **options):
        roles = {
            # Everything: content, requests, mail, staff accounts.
            HR_GROUP: permissions(
                # Staff accounts, their TOTP devices (lost-phone recovery) and lockouts too.
                app_labels=(*CONTENT_APPS, "applications", "auth", "otp_totp", "axes")
            ),
            # The catalogue and the pages, as drafts for HR to approve; no request,
            # no account.
            EDITOR_GROUP: permissions(app_labels=CONTENT_APPS).exclude(
                codename__in=[
                    "add_bureaustaff",
                    "change_bureaustaff",
                    "delete_bureaustaff",
                    # The 承認者 is HR: editors ask for review (core.publishing).
                    "approve_content",
                    # Old addresses redirect public URLs with no review: HR's.
                    "add_formeraddress",
                    "change_formeraddress",
                    "delete_formeraddress",
                    "view_formeraddress",
                ]
            ),
            # Their bureaus' duties and routed requests (the admin narrows both to
            # their bureaus); notes they write. A duty they add or change is a draft
            # until HR approves it: never the 承認者's permission.
            BUREAU_STAFF_GROUP: permissions(
                codenames=[
                    "view_duty",
                    "add_duty",
                    "change_duty",
                    "view_inquiry",
                    "view_inquiryroute",
                    "change_inquiryroute",
                    "view_internalnote",
                    "add_internalnote",
                ]
            ),
        }
        for name, granted in roles.items():
            group, created = Group.objects.get_or_create(name=name)
            group.permissions.set(granted)
            verb = "作成" if created else "更新"
            self.stdout.write(f"{name}: {verb}（権限 {group.permissions.count()} 件）")
