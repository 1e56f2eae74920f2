"""Who may see what in the back office: the roles and their bureaus."""

from django.contrib.auth.models import Group

HR_GROUP = "人事課（管理者）"
EDITOR_GROUP = "掲載内容の編集者"
BUREAU_STAFF_GROUP = "局の担当者"


def sees_every_bureau(user):
    """HR administrators (and superusers) see every bureau's requests."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_sees_every_bureau", None)
    if cached is None:
        cached = user.groups.filter(name=HR_GROUP).exists()
        user._sees_every_bureau = cached
    return cached


def bureau_ids_of(user):
    """The bureaus a bureau staff account handles."""
    return set(user.bureau_memberships.values_list("bureau_id", flat=True))


def role_groups():
    return Group.objects.filter(name__in=[HR_GROUP, EDITOR_GROUP, BUREAU_STAFF_GROUP])
