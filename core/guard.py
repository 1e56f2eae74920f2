"""What no request may carry into the database: NUL in its path or its query."""

from django.core.exceptions import BadRequest

# PostgreSQL cannot hold NUL in a text value: a lookup with one raises before it
# runs, which would be a 500. Form fields refuse it with a message of their own
# (Django's ProhibitNullCharactersValidator); addresses and query strings are
# refused here, before any middleware or view can pass them to a query.
NUL = "\x00"


class RefuseNulMiddleware:
    """Answer 400 to a request whose path or query string holds NUL (raw or %00)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or any(
            NUL in name or any(NUL in value for value in values)
            for name, values in request.GET.lists()
        ):
            raise BadRequest("NUL in the address")
        return self.get_response(request)
