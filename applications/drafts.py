"""The visitor's draft of a request, kept in their session between input and confirm.

Only the form's own fields are kept, each list of choices without repeats, and a
draft larger than any real answer could make is refused. The confirm page
carries the digest of the draft it shows: a draft changed since (in another tab)
is shown again, never sent unseen.
"""

import hashlib
import json
import uuid

from django.http import QueryDict

DRAFT_KEY = "consultation_draft"
DONE_KEY = "consultation_done"
# Every field at its longest, in three-byte characters, is about 30 KB of JSON.
MAX_DRAFT_BYTES = 40_000


class DraftTooLarge(ValueError):
    """The answers would not fit a draft (only a script sends so much)."""


class Draft:
    """The draft in one visitor's session, and the request it last became."""

    def __init__(self, session):
        self.session = session

    @property
    def stored(self):
        return self.session.get(DRAFT_KEY)

    def keep(self, form):
        """Store the answers of a valid ``form``; the token that identifies this one
        request survives the visitor's edits."""
        data = {}
        for name in form.fields:
            values = list(dict.fromkeys(form.data.getlist(name)))
            if values:
                data[name] = values
        if len(json.dumps(data, ensure_ascii=False).encode()) > MAX_DRAFT_BYTES:
            raise DraftTooLarge(name)
        previous = self.stored or {}
        self.session[DRAFT_KEY] = {
            "data": data,
            "token": previous.get("token") or str(uuid.uuid4()),
        }

    def form(self, form_class, **kwargs):
        """``form_class`` bound to the draft, or None when there is none."""
        stored = self.stored
        if not stored:
            return None
        data = QueryDict(mutable=True)
        for name, values in stored["data"].items():
            data.setlist(name, values)
        return form_class(data, **kwargs)

    @property
    def token(self):
        return self.stored["token"]

    def digest(self):
        """What the confirm page shows, in 16 bytes: its answers and its token."""
        canonical = json.dumps(self.stored, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:32]

    def finish(self, inquiry, digest):
        """The draft became ``inquiry``: forget it, and remember which request the
        confirm page with ``digest`` made, for a second click on its button."""
        self.session.pop(DRAFT_KEY, None)
        self.session[DONE_KEY] = {"inquiry": inquiry.pk, "digest": digest}

    def done_inquiry_pk(self, digest=None):
        """The request this session last sent (that the confirm page with ``digest``
        sent, when one is given), or None."""
        done = self.session.get(DONE_KEY)
        if not done or (digest is not None and done["digest"] != digest):
            return None
        return done["inquiry"]
