"""Django's SMTP backend, every call bounded by an overall deadline."""

import socket
import threading
from contextlib import contextmanager, suppress
from email.headerregistry import Address, AddressHeader

from django.core.mail.backends.smtp import EmailBackend
from django.utils.encoding import punycode


class DeadlineExceeded(TimeoutError):
    """The mail server did not finish a call within the deadline (a TimeoutError, so
    callers retry it later as they would a server that could not be reached)."""


class DeadlineSMTPBackend(EmailBackend):
    """Django's SMTP backend; opening, sending and closing each finish within
    ``deadline`` seconds (MAILERS OPTIONS), whatever the server does.

    ``timeout`` bounds each socket operation, so a server that trickles its answers
    a few bytes at a time never reaches it. Here a watchdog thread shuts the
    connection's socket when a call overruns: the blocked read returns at once and
    the call raises DeadlineExceeded. Connecting is bounded by ``timeout``, which
    must not exceed the deadline.
    """

    def __init__(self, *, deadline=30, **kwargs):
        super().__init__(**kwargs)
        if self.timeout is not None and self.timeout > deadline:
            raise ValueError(f"the timeout ({self.timeout} s) exceeds the deadline ({deadline} s)")
        self.deadline = deadline
        self._smtp = None
        self._overran = False

    @property
    def connection_class(self):
        backend = self

        class WatchedSMTP(super().connection_class):
            """smtplib's client, made known to the watchdog once its socket exists."""

            def _get_socket(self, host, port, timeout):
                sock = super()._get_socket(host, port, timeout)
                backend._smtp = self
                return sock

        return WatchedSMTP

    def open(self):
        with self._bounded("connect"):
            return super().open()

    def send_messages(self, email_messages):
        with self._bounded("send"):
            return super().send_messages(email_messages)

    def close(self):
        with self._bounded("close"):
            return super().close()

    @contextmanager
    def _bounded(self, what):
        self._overran = False
        watchdog = threading.Timer(self.deadline, self._cut)
        watchdog.daemon = True
        watchdog.start()
        try:
            yield
        except Exception as error:
            if self._overran:
                raise DeadlineExceeded(f"{what}: no answer within {self.deadline} s") from error
            raise
        else:
            if self._overran:
                # The cut can end a half-read answer that smtplib takes for a whole
                # one ("220 kouryu" with no line end): nothing it said counts.
                self._drop()
                raise DeadlineExceeded(f"{what}: no answer within {self.deadline} s")
        finally:
            watchdog.cancel()

    def _drop(self):
        """Forget the connection without a QUIT the server would not answer."""
        for connection in (self.connection, self._partial_connection):
            if connection is not None:
                connection.close()
        self.connection = self._partial_connection = None

    def _cut(self):
        """Shut the current socket (after STARTTLS, the TLS one) so a blocked call returns."""
        self._overran = True
        sock = getattr(self._smtp, "sock", None)
        if sock is not None:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def address_for_smtp(address):
    """``address`` as the SMTP backend will put it on the wire, or ValueError.

    The same rules as Django's SMTP backend (``EmailBackend.prep_address``, which
    raises at send time): one mailbox, no parser defects, an ASCII local part, the
    domain IDNA-encoded. tests/core/test_mailer.py holds the two together.
    """
    parsed = AddressHeader.value_parser(address)
    defects = {str(defect) for defect in parsed.all_defects}
    defects.discard("addr-spec local part with no domain")  # As Django allows it.
    if defects:
        raise ValueError(f"invalid address: {'; '.join(sorted(defects))}")
    if len(parsed.all_mailboxes) != 1:
        raise ValueError("not a single address")
    mailbox = parsed.all_mailboxes[0]
    if not mailbox.local_part.isascii():
        raise ValueError("the local part is not ASCII")
    if mailbox.domain and not mailbox.domain.isascii():
        return str(Address(username=mailbox.local_part, domain=punycode(mailbox.domain)))
    return mailbox.addr_spec
