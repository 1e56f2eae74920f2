"""A visitor's browser without a browser: HTTP requests with cookies, CSRF tokens and
forms, sent to the load balancer over TLS or straight to one app server with the
headers the balancer adds (tests/test_scale_out.py)."""

import html
import http.client
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str

    @property
    def location(self):
        return self.headers.get("Location", "")


class FormFields(HTMLParser):
    """The values a browser would submit from the form with the given id."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or not attrs.get("name") and tag != "option":
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append(
                (attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
            )
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            name, value = self._textarea
            self.fields.append((name, value.removeprefix("\n")))
            self._textarea = None


def hidden(name, page):
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no {name} on the page"
    return html.unescape(match.group(1))


class Browser:
    """One visitor: its cookies, its address, and where its requests go."""

    def __init__(self, stack, address="198.51.100.7", *, source=None):
        self.stack = stack
        self.address = address  # As HAProxy would report it, for requests to a server.
        self.source = source  # The loopback address it connects from, through the balancer.
        self.cookies = {}

    def request(self, method, path, form=None, *, server=None):
        """``server`` None: through the balancer (TLS); else straight to that app server."""
        headers = {"Host": self.stack.host, "User-Agent": "kouryu-scale-test"}
        if server is None:
            connection_ = http.client.HTTPSConnection(
                "127.0.0.1",
                self.stack.port,
                context=self.stack.tls,
                timeout=30,
                source_address=(self.source, 0) if self.source else None,
            )
        else:
            connection_ = http.client.HTTPConnection(
                "127.0.0.1", self.stack.servers[server].port, timeout=30
            )
            headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": self.address})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form}
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://{self.stack.host}{path}"
        try:
            connection_.request(method, path, body=body, headers=headers)
            response = connection_.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            connection_.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in cookie.lower() or not value or value == '""':
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return Answer(response.status, response.headers, text)

    def get(self, path, *, server=None):
        return self.request("GET", path, server=server)

    def post(self, path, form, *, server=None):
        # Django's CSRF cookie holds the masked secret, which the form field may repeat.
        return self.request("POST", path, form, server=server)


def dict_of(pairs):
    """Form pairs as urlencode(doseq=True) takes them (a name may repeat)."""
    form = {}
    for name, value in pairs:
        form.setdefault(name, []).append(value)
    return form
