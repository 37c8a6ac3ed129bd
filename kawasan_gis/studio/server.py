"""Running the studio: a local web server on one socket, and the browser opened on it.

Owns :class:`StudioServer` (uvicorn on a socket bound before it starts, so the address is known
and a free port can be asked for with port 0; :meth:`StudioServer.start` runs it in a thread,
:meth:`StudioServer.serve` in the foreground) and :func:`open_studio`, which reads a result
folder and builds the session.

It listens on 127.0.0.1 unless told otherwise; another address is the user's explicit choice
and is logged as a warning, because the studio has no accounts.

Imports the studio's ``app``, ``session`` and ``workspace``.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import webbrowser
from pathlib import Path

import uvicorn

from kawasan_gis.errors import ConfigError
from kawasan_gis.studio.app import create_app
from kawasan_gis.studio.session import Session
from kawasan_gis.studio.workspace import open_run

__all__ = ["LOCALHOST", "StudioServer", "open_studio"]

log = logging.getLogger(__name__)

LOCALHOST = "127.0.0.1"
_LOCAL_NAMES = ("127.0.0.1", "localhost", "::1")


def open_studio(result_dir: str | Path, *, lang: str | None = None) -> Session:
    """Read a ``kawasan run`` result folder and prepare its studio session (the slow part)."""
    return Session(open_run(result_dir), lang=lang)


class StudioServer:
    """The studio for one session, listening on ``host:port`` (port 0: any free port).

    Examples
    --------
    >>> server = StudioServer(open_studio("hasil"), port=0)  # doctest: +SKIP
    >>> server.start(); print(server.url); server.stop()      # doctest: +SKIP
    """

    def __init__(self, session: Session, *, host: str = LOCALHOST, port: int = 8765) -> None:
        if host not in _LOCAL_NAMES:
            log.warning("studio listens on %s: anyone who can reach this address can edit the plan", host)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.sock.bind((host, port))
        except OSError as exc:
            self.sock.close()
            raise ConfigError(f"tidak dapat mendengarkan di / cannot listen on {host}:{port} ({exc}); choose another --port.") from None
        self.port = self.sock.getsockname()[1]
        self.host = host
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self.port}/"
        hosts = {f"{shown}:{self.port}"}
        if host in _LOCAL_NAMES:
            hosts |= {f"127.0.0.1:{self.port}", f"localhost:{self.port}", f"[::1]:{self.port}"}
        self.app = create_app(session, hosts=hosts)
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    def serve(self, *, browser: bool = True) -> None:
        """Serve in the foreground until Ctrl-C; open the browser first unless ``browser`` is False."""
        if browser:
            threading.Timer(0.5, webbrowser.open, args=(self.url,)).start()
        try:
            self.server.run(sockets=[self.sock])
        except KeyboardInterrupt:  # uvicorn shuts down first, then passes Ctrl-C on: that is the normal end
            log.info("studio stopped")
        finally:
            self.sock.close()

    def start(self, *, timeout: float = 20.0) -> None:
        """Serve in a background thread; returns once the server accepts connections."""
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the studio server did not start")
            time.sleep(0.02)

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop a server started with :meth:`start`."""
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self.sock.close()
