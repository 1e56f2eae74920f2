"""A TCP proxy in front of a real server, which a test can close, black-hole or freeze.

- ``relay()``: bytes pass both ways (the normal state).
- ``close()``: every connection is dropped and new ones are refused: the server is down.
- ``black_hole()``: every connection is dropped; new ones are accepted and never
  answered: a server that hangs, or a firewall that swallows the handshake's answer.
- ``freeze()``: every connection stays open and nothing passes any more. In a network
  namespace of its own (``Netns``), the proxy's link is also cut, so that the
  kernel drops the packets instead of acknowledging them: what a client sees when
  the server's host dies or the route to it is lost. On the loopback interface a
  frozen connection's bytes are still acknowledged by the kernel, and only a
  timeout in the client could notice.

The proxy runs in threads of the test process: one accepts, two per connection pump
bytes, each looking at the mode between reads.
"""

import contextlib
import ipaddress
import os
import select
import shutil
import socket
import subprocess
import threading

RELAY, CLOSED, BLACK_HOLE, FROZEN = "relay", "closed", "black hole", "frozen"
TICK = 0.02


class FaultProxy:
    def __init__(self, upstream, *, netns=None):
        self.upstream = upstream
        self.netns = netns
        self.host = netns.address if netns else "127.0.0.1"
        self.mode = RELAY
        self._lock = threading.Lock()
        self._sockets = set()  # every accepted and upstream socket, closed on a change
        self._stopped = threading.Event()
        self._listener = None
        self.port = 0
        self._listen()
        self.accepted = 0
        self._thread = threading.Thread(target=self._accept_loop, name="proxy-accept", daemon=True)
        self._thread.start()

    # --- What a test does. ---------------------------------------------------------

    def relay(self):
        with self._lock:
            if self.mode == RELAY:
                return
            self._drop_connections()
            if self._listener is None:
                self._listen()
            if self.netns and self.mode == FROZEN:
                self.netns.mend()
            self.mode = RELAY

    def close(self):
        with self._lock:
            self.mode = CLOSED
            self._drop_connections()
            if self._listener is not None:
                self._listener.close()
                self._listener = None

    def black_hole(self):
        with self._lock:
            self.mode = BLACK_HOLE
            self._drop_connections()
            if self._listener is None:
                self._listen()

    def freeze(self):
        with self._lock:
            self.mode = FROZEN
            if self.netns:
                self.netns.cut()

    def stop(self):
        self.relay()
        self._stopped.set()
        self._thread.join(timeout=5)
        with self._lock:
            self._drop_connections()
            if self._listener is not None:
                self._listener.close()
                self._listener = None

    # --- Inside. ------------------------------------------------------------------

    def _listen(self):
        def bind():
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self.port))
            listener.listen(64)
            return listener

        self._listener = self.netns.run(bind) if self.netns else bind()
        self.port = self._listener.getsockname()[1]

    def _drop_connections(self):
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()
        self._sockets.clear()

    def _accept_loop(self):
        while not self._stopped.is_set():
            with self._lock:
                listener = self._listener
            if listener is None:
                self._stopped.wait(TICK)
                continue
            try:
                readable, _, _ = select.select([listener], [], [], TICK)
                if not readable:
                    continue
                client, _ = listener.accept()
            except (OSError, ValueError):  # Closed by close() meanwhile.
                continue
            self._accepted(client)

    def _accepted(self, client):
        with self._lock:
            self.accepted += 1
            mode = self.mode
            self._sockets.add(client)
        if mode != RELAY:
            return  # Held, never answered, until the next change of mode drops it.
        try:
            server = socket.create_connection(self.upstream, timeout=2)
        except OSError:
            client.close()
            return
        with self._lock:
            self._sockets.add(server)
        for source, target in ((client, server), (server, client)):
            threading.Thread(
                target=self._pump, args=(source, target), name="proxy-pump", daemon=True
            ).start()

    def _pump(self, source, target):
        try:
            while not self._stopped.is_set():
                if self.mode != RELAY:
                    if source.fileno() < 0:
                        return
                    self._stopped.wait(TICK)
                    continue
                readable, _, _ = select.select([source], [], [], TICK)
                if not readable or self.mode != RELAY:
                    continue
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
        except (OSError, ValueError):
            pass
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.close()


class Netns:
    """A network namespace of this test run, joined to ours by a veth pair.

    The proxy listens on the far side; ``cut()`` takes that side's link down, and
    packets to it are then dropped without a word (an established connection hears
    nothing; a new one finds no route). Needs root and iproute2; ``create()``
    answers None where they are missing. The addresses come from 198.18.0.0/15,
    the range set aside for network benchmarks (RFC 2544), one /30 per process, and
    never leave this machine.
    """

    PREFIX = "kfault-"

    def __init__(self):
        pid = os.getpid()
        self.name = f"{self.PREFIX}{pid}"
        self.host_link = f"kfh{pid}"
        self.link = f"kfn{pid}"
        network = ipaddress.ip_network("198.18.0.0/15")
        base = network.network_address + 4 * (pid % (network.num_addresses // 4))
        self.host_address = str(base + 1)
        self.address = str(base + 2)

    @classmethod
    def create(cls):
        if os.geteuid() != 0 or not shutil.which("ip"):
            return None
        cls.remove_stale()
        netns = cls()
        try:
            netns._ip("netns", "add", netns.name)
            netns._ip(
                "link", "add", netns.host_link, "type", "veth", "peer", "name", netns.link,
                "netns", netns.name,
            )  # fmt: skip
            netns._ip("addr", "add", f"{netns.host_address}/30", "dev", netns.host_link)
            netns._ip("link", "set", netns.host_link, "up")
            netns._ip("-n", netns.name, "addr", "add", f"{netns.address}/30", "dev", netns.link)
            netns._ip("-n", netns.name, "link", "set", netns.link, "up")
        except (OSError, subprocess.CalledProcessError):
            netns.remove()
            return None
        return netns

    @classmethod
    def remove_stale(cls):
        """Namespaces left by test runs that were killed (their process is gone)."""
        listing = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
        for line in listing.stdout.splitlines():
            name = line.split()[0] if line.split() else ""
            pid = name.removeprefix(cls.PREFIX)
            if name.startswith(cls.PREFIX) and pid.isdigit() and not _alive(int(pid)):
                subprocess.run(["ip", "netns", "del", name], capture_output=True)

    def run(self, function):
        """Call ``function`` in a thread that has joined the namespace (sockets it
        creates live there), and return its result."""
        result = {}

        def inside():
            try:
                with open(f"/run/netns/{self.name}") as namespace:
                    os.setns(namespace.fileno(), os.CLONE_NEWNET)
                result["value"] = function()
            except BaseException as error:  # Re-raised in the caller.
                result["error"] = error

        thread = threading.Thread(target=inside)
        thread.start()
        thread.join()
        if "error" in result:
            raise result["error"]
        return result["value"]

    def cut(self):
        self._ip("-n", self.name, "link", "set", self.link, "down")

    def mend(self):
        self._ip("-n", self.name, "link", "set", self.link, "up")

    def remove(self):
        # The veth pair goes with the namespace.
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)

    @staticmethod
    def _ip(*args):
        subprocess.run(["ip", *args], check=True, capture_output=True)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
