"""The studio's web application: routes, and the safety rules every request passes.

Owns :func:`create_app`, a Starlette application around one
:class:`~kawasan_gis.studio.session.Session`:

- ``GET /`` the page; ``GET /static/<name>`` its script and stylesheet and Leaflet, served from
  the installed packages (``folium-offline`` holds the Leaflet files folium uses), nothing from
  the internet;
- ``GET /api/init``, ``POST /api/edit``, ``/api/undo``, ``/api/redo``, ``/api/lasso``,
  ``/api/weights``, ``GET /api/versions``, ``POST /api/versions/save``, ``/api/versions/load``,
  ``/api/export``:
  JSON in, JSON out;
- ``GET /files/<path>``: files the studio wrote (versions, exports), from ``<result>/studio/`` only.

Safety: requests must name an allowed host (the address the studio listens on; this also stops
DNS rebinding), every ``POST`` must carry the page's token in ``X-Studio-Token`` and JSON, a
Content-Security-Policy lets the page load and connect to nothing but the studio, and any path
from the browser goes through :func:`kawasan_gis.studio.workspace.inside`. A user error is a
JSON ``{"error": ...}`` with status 400, never a traceback.

Imports the studio's ``session``, ``views``, ``record`` and ``workspace``, and
:mod:`kawasan_gis.maps` (for the Leaflet files).
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from kawasan_gis.errors import KawasanError
from kawasan_gis.studio import record, views
from kawasan_gis.studio.session import Session
from kawasan_gis.studio.workspace import inside

__all__ = ["LEAFLET_CSS", "LEAFLET_JS", "create_app"]

log = logging.getLogger(__name__)

LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
_MAX_BODY = 2_000_000


def _leaflet(url: str) -> str:
    from kawasan_gis.maps import offline_resources

    return offline_resources()[url]


def _static(name: str) -> tuple[str, str]:
    """Body and media type of one of the page's assets (a fixed list: no path from the browser)."""
    if name == "leaflet.js":
        return _leaflet(LEAFLET_JS), "text/javascript"
    if name == "leaflet.css":
        return _leaflet(LEAFLET_CSS), "text/css"
    if name in ("studio.js", "studio.css"):
        text = (resources.files("kawasan_gis.studio") / "static" / name).read_text(encoding="utf-8")
        return text, "text/javascript" if name.endswith(".js") else "text/css"
    raise KeyError(name)


def create_app(session: Session, *, hosts: Iterable[str], token: str | None = None) -> Starlette:
    """The studio application for ``session``.

    Parameters
    ----------
    session : Session
    hosts : iterable of str
        ``Host`` header values accepted (``127.0.0.1:8765``, ``localhost:8765``...).
    token : str, optional
        Secret the page sends with every change; random when not given.
    """
    token = token or secrets.token_urlsafe(24)
    allowed = {h.lower() for h in hosts}
    security = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                "X-Frame-Options": "DENY", "Cache-Control": "no-store"}

    def error(message: str, status: int = 400) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status, headers=security)

    def ok(payload: Any) -> JSONResponse:
        return JSONResponse(payload, headers=security)

    async def body(request: Request) -> dict[str, Any]:
        raw = await request.body()
        if len(raw) > _MAX_BODY:
            raise KawasanError("permintaan terlalu besar / request too large")
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            raise KawasanError("JSON tidak sah / invalid JSON") from None
        if not isinstance(data, dict):
            raise KawasanError("JSON harus objek / JSON must be an object")
        return data

    def guarded(handler: Callable[[Request], Awaitable[Response]], *, change: bool = False) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            if request.headers.get("host", "").lower() not in allowed:
                return error("host tidak diizinkan / host not allowed", 403)
            if change:
                if request.headers.get("x-studio-token") != token:
                    return error("token salah / bad token", 403)
                if not request.headers.get("content-type", "").startswith("application/json"):
                    return error("harus JSON / JSON required", 415)
            try:
                return await handler(request)
            except KawasanError as exc:
                return error(str(exc))
            except Exception as exc:  # a bug, not a user error: logged in full, reported in one line
                log.exception("studio: %s failed", request.url.path)
                return error(f"kesalahan internal / internal error: {type(exc).__name__}: {exc}", 500)
        return endpoint

    async def page(request: Request) -> Response:
        html = (resources.files("kawasan_gis.studio") / "static" / "studio.html").read_text(encoding="utf-8")
        html = html.replace("{{lang}}", session.lang).replace("{{token}}", token)
        return HTMLResponse(html, headers=security)

    async def static(request: Request) -> Response:
        try:
            text, media = _static(request.path_params["name"])
        except KeyError:
            return error("tidak ada / not found", 404)
        return Response(text, media_type=media, headers={**security, "Cache-Control": "max-age=3600"})

    async def init(request: Request) -> Response:
        return ok(await run_in_threadpool(views.init_payload, session))

    async def edit(request: Request) -> Response:
        data = await body(request)
        update = await run_in_threadpool(session.apply, str(data.get("op", "")), data)
        return ok(await run_in_threadpool(views.state_payload, session, update))

    async def undo(request: Request) -> Response:
        return ok(await run_in_threadpool(views.state_payload, session, await run_in_threadpool(session.undo)))

    async def redo(request: Request) -> Response:
        return ok(await run_in_threadpool(views.state_payload, session, await run_in_threadpool(session.redo)))

    async def lasso(request: Request) -> Response:
        data = await body(request)
        ring = data.get("ring")
        if not isinstance(ring, list) or len(ring) > 5000 or not all(isinstance(p, list) and len(p) >= 2 for p in ring):
            raise KawasanError("laso tidak sah / invalid lasso")
        return ok({"villages": await run_in_threadpool(views.codes_in, session, ring)})

    async def weights(request: Request) -> Response:
        data = await body(request)
        w = data.get("weights", {})
        prio = data.get("prioritas", {})
        if not isinstance(w, dict) or not all(isinstance(v, dict) for v in w.values()) or not isinstance(prio, dict):
            raise KawasanError("bobot tidak sah / invalid weights")
        return ok(await run_in_threadpool(session.rescore, w, data.get("mixed_margin", session.run.mixed_margin), prio))

    async def versions(request: Request) -> Response:
        return ok({"versions": await run_in_threadpool(record.list_versions, session)})

    async def save(request: Request) -> Response:
        data = await body(request)
        saved = await run_in_threadpool(
            lambda: record.save_version(session, name=data.get("name", ""), who=data.get("who", ""), note=data.get("note", "")))
        return ok({"saved": saved, "versions": await run_in_threadpool(record.list_versions, session)})

    async def load(request: Request) -> Response:
        data = await body(request)
        vid = str(data.get("id", ""))
        state = await run_in_threadpool(record.read_version, session, vid)
        update = await run_in_threadpool(session.load, state, f"versi {vid}")
        return ok(await run_in_threadpool(views.state_payload, session, update))

    async def export(request: Request) -> Response:
        data = await body(request)
        return ok(await run_in_threadpool(
            lambda: record.export_plan(session, name=data.get("name", ""), who=data.get("who", ""), note=data.get("note", ""))))

    async def files(request: Request) -> Response:
        path = inside(session.run.studio, *request.path_params["path"].split("/"))
        if not path.is_file():
            return error("tidak ada / not found", 404)
        return FileResponse(path, headers=security)

    routes = [
        Route("/", guarded(page)),
        Route("/static/{name}", guarded(static)),
        Route("/api/init", guarded(init)),
        Route("/api/edit", guarded(edit, change=True), methods=["POST"]),
        Route("/api/undo", guarded(undo, change=True), methods=["POST"]),
        Route("/api/redo", guarded(redo, change=True), methods=["POST"]),
        Route("/api/lasso", guarded(lasso, change=True), methods=["POST"]),
        Route("/api/weights", guarded(weights, change=True), methods=["POST"]),
        Route("/api/versions", guarded(versions)),
        Route("/api/versions/save", guarded(save, change=True), methods=["POST"]),
        Route("/api/versions/load", guarded(load, change=True), methods=["POST"]),
        Route("/api/export", guarded(export, change=True), methods=["POST"]),
        Route("/files/{path:path}", guarded(files)),
    ]
    app = Starlette(routes=routes)
    app.state.token = token
    return app
