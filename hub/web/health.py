"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from aiohttp import web

from hub.store import db
from hub.web.apidoc import documented
from hub.web.keys import RUNTIME

routes = web.RouteTableDef()


@routes.get("/healthz")
@documented("Liveness", auth=None)
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.get("/readyz")
@documented("Readiness (database, Redis)", auth=None)
async def readyz(request: web.Request) -> web.Response:
    """Ready when the database (and Redis, when scaled) answer; says which NLU model serves."""
    runtime = request.app[RUNTIME]
    checks: dict[str, str] = {}
    try:
        await db.ping()
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    if runtime.redis is not None:
        try:
            await runtime.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    unavailable = runtime.ctx.unavailable
    body: dict[str, object] = {
        "status": "ok" if ok else "unavailable",
        "checks": checks,
        "inboxes_unavailable": unavailable,
    }
    nlu = getattr(runtime.ctx.bot, "nlu", None)
    if nlu is not None:
        # which intent model answers: the fast one serves (ready) while the full one trains
        body["nlu"] = nlu.serving()
    return web.json_response(body, status=200 if ok else 503)
