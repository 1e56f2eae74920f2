"""The shortlist: duties a visitor sets aside in their session, for the approval pack."""

import enum
from urllib.parse import urlencode

from django.urls import reverse

from bureaus.models import Duty

SESSION_KEY = "shortlist"
# A pack for one approval round; more than this is a catalogue, not a shortlist,
# and the pre-consultation link that carries the list stays a sane length.
MAX_DUTIES = 30


class Outcome(enum.Enum):
    """What asking to add a duty did."""

    ADDED = "added"
    ALREADY_LISTED = "already_listed"
    FULL = "full"


def consultation_url(duties):
    """The pre-consultation form's address with every one of the duties pre-selected."""
    query = urlencode([("duty", duty.catalogue_id) for duty in duties], safe="/")
    return f"{reverse('applications:form')}?{query}"


class Shortlist:
    """The duty ids a visitor has set aside, kept in their session (no account).

    Only ids are stored: titles, bureaus and contacts are read afresh on every
    page, so an edit in admin shows at once and an unpublished duty drops out.
    """

    def __init__(self, session):
        self.session = session

    def __len__(self):
        return len(self.ids())

    def __contains__(self, value):
        return value in self.ids()

    def ids(self):
        """The ids in the order they were added."""
        return list(self.session.get(SESSION_KEY, []))

    def add(self, value):
        """Add one id, unless it is listed already or the list is full."""
        ids = self.ids()
        if value in ids:
            return Outcome.ALREADY_LISTED
        if len(ids) >= MAX_DUTIES:
            return Outcome.FULL
        self._store([*ids, value])
        return Outcome.ADDED

    def remove(self, value):
        """Take one id off the list; whether it was there."""
        ids = self.ids()
        if value not in ids:
            return False
        self._store([listed for listed in ids if listed != value])
        return True

    def clear(self):
        self.session.pop(SESSION_KEY, None)

    def published_duties(self):
        """The listed duties that are still published, in catalogue order (bureau by bureau).

        Ids whose duty was unpublished or deleted leave the list here, so they
        neither show nor count towards the limit; the old id of a duty whose address
        moved (a renamed or merged bureau) is replaced by its current one.
        """
        ids = self.ids()
        if not ids:
            return []
        duties = list(Duty.objects.live().identified_by(ids))
        current = [duty.catalogue_id for duty in duties]
        if set(current) != set(ids):
            # In the order added; a moved duty's current id comes last.
            self._store(
                [value for value in ids if value in current]
                + [value for value in current if value not in ids]
            )
        return duties

    def _store(self, ids):
        # Assigning (not mutating the stored list) marks the session as modified.
        if ids:
            self.session[SESSION_KEY] = ids
        else:
            self.clear()
