"""The inbox's HTML shells and static files, with a Content-Security-Policy that allows
no inline script at all: every script is a same-origin ES module, so text that slipped
into the page as markup still could not run."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path

from aiohttp import web

from hub.web.inbox.sessions import COOKIE, session_for

routes = web.RouteTableDef()
STATIC = Path(__file__).resolve().parent.parent / "static" / "inbox"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@cache
def _template(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def page(name: str, values: dict[str, str]) -> web.Response:
    """``name`` from the static folder with each ``{{key}}`` replaced by its escaped value."""
    text = _template(name)
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", html.escape(value, quote=True))
    return web.Response(text=text, content_type="text/html", headers=HEADERS)


@routes.get("/inbox")
@routes.get("/inbox/")
@routes.get("/inbox/c/{id}")
async def app_page(request: web.Request) -> web.Response:
    if await session_for(request.cookies.get(COOKIE)) is None:
        raise web.HTTPFound("/inbox/login")
    return page("index.html", {})


routes.static("/inbox/static", STATIC, append_version=False)
