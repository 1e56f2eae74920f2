"""Fixtures of the pre-consultation tests: a real SMTP server on loopback."""

import logging

import pytest
from aiosmtpd.controller import Controller

from tests.applications.mail_server import Mailbox, use_mail_server
from tests.conftest import free_port


@pytest.fixture
def start_smtp():
    """Start an aiosmtpd server with a handler on a port; every one is stopped after."""
    controllers = []
    # aiosmtpd logs every command at INFO; a failing test's report needs none of it.
    log = logging.getLogger("mail.log")
    level = log.level
    log.setLevel(logging.WARNING)

    def start(handler, port):
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return controller

    yield start
    for controller in controllers:
        controller.stop()
    log.setLevel(level)


@pytest.fixture
def mailbox(settings, start_smtp):
    """A running server that accepts everything, and MAILERS pointing at it."""
    box = Mailbox()
    port = free_port()
    start_smtp(box, port)
    use_mail_server(settings, port)
    return box
