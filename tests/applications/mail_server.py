"""A real SMTP server for the mail tests: aiosmtpd on 127.0.0.1, and what it received."""

from collections import Counter
from email import message_from_bytes, policy
from email.header import decode_header, make_header


class Received:
    """One mail as the server got it."""

    def __init__(self, envelope):
        self.mail_from = envelope.mail_from
        self.rcpt_tos = list(envelope.rcpt_tos)
        self.raw = envelope.original_content
        self.message = message_from_bytes(self.raw, policy=policy.default)

    @property
    def raw_head(self):
        return self.raw.split(b"\r\n\r\n", 1)[0]

    @property
    def decoded_subject(self):
        """The Subject as RFC 2047 decoding of the header on the wire gives it."""
        encoded = message_from_bytes(self.raw, policy=policy.compat32)["Subject"]
        return str(make_header(decode_header(encoded)))

    @property
    def body(self):
        return self.message.get_content()


class Mailbox:
    """An aiosmtpd handler that keeps every mail and refuses the recipients it is told to."""

    def __init__(self, refuse=None):
        self.refuse = refuse or {}
        self.received = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if reply := self.refuse.get(address):
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(Received(envelope))
        return "250 Message accepted for delivery"

    def recipients(self):
        return Counter(rcpt for mail in self.received for rcpt in mail.rcpt_tos)

    def to(self, address):
        [mail] = [mail for mail in self.received if mail.rcpt_tos == [address]]
        return mail


def use_mail_server(settings, port, timeout=5, deadline=10):
    """MAILERS as production has it (core.mailer's backend), pointing at ``port``."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "core.mailer.DeadlineSMTPBackend",
            "OPTIONS": {
                "host": "127.0.0.1",
                "port": port,
                "timeout": timeout,
                "deadline": deadline,
            },
        }
    }
