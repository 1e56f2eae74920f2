"""App config for the programme pages."""

from django.apps import AppConfig, apps
from django.db.models.signals import m2m_changed, post_delete, post_save

# Models whose rows appear on public pages: a change to any makes a new revision.
CONTENT_MODELS = [
    "bureaus.Theme",
    "bureaus.Bureau",
    "bureaus.Duty",
    "portal.PageText",
    "portal.OverviewPoint",
    "portal.TrainingOpportunity",
    "portal.Benefit",
    "portal.Testimonial",
    "portal.Restriction",
    "portal.InquiryWindow",
    "portal.FaqEntry",
]


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "制度紹介ページ"

    def ready(self):
        # Cache invalidation, not a workflow: every path that changes content
        # (admin, shell, bulk edits through save()) must reach it.
        from portal.caching import bump_content_revision

        for label in CONTENT_MODELS:
            model = apps.get_model(label)
            post_save.connect(
                bump_content_revision, sender=model, dispatch_uid=f"revision-save-{label}"
            )
            post_delete.connect(
                bump_content_revision, sender=model, dispatch_uid=f"revision-delete-{label}"
            )
        m2m_changed.connect(
            bump_content_revision,
            sender=apps.get_model("bureaus.Duty").themes.through,
            dispatch_uid="revision-duty-themes",
        )
