"""The back office's roles (groups), the two questions the apps ask of a staff account,
and how staff are named on screen.

Kept with the groups they read and ``manage.py setup_roles``, which grants them
their permissions, so that a role's name and its meaning are decided in one place.
"""

HR_GROUP = "人事課（管理者）"
EDITOR_GROUP = "掲載内容の編集者"
BUREAU_STAFF_GROUP = "局の担当者"


def edits_every_listing(user):
    """Whether ``user`` edits every bureau's listings (HR and content editors), rather
    than only the duties of the bureaus they belong to (bureau staff)."""
    return user.is_superuser or user.has_perm("bureaus.change_bureau")


def sees_every_request(user):
    """Whether ``user`` sees every bureau's pre-consultation requests (HR only), rather
    than only those routed to the bureaus they belong to."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_sees_every_request", None)
    if cached is None:
        cached = user.groups.filter(name=HR_GROUP).exists()
        user._sees_every_request = cached
    return cached


def staff_name(user):
    """A staff member as colleagues name them: family name first (姓 名), as Japanese
    names are written; the login name only for an account with no name given."""
    name = f"{user.last_name} {user.first_name}".strip()
    return name or user.get_username()
