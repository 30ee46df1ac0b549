"""``/webhooks/{inbox}``: verify, split, store durably, then acknowledge."""

from __future__ import annotations

import logging

from aiohttp import web

from channels.base import WebhookRequest, WebhookResponse
from channels.errors import PayloadInvalid, WebhookRejected
from hub.inbound.ingest import ingest
from hub.logs import failure, redact, throttled
from hub.web.apidoc import documented
from hub.web.bodies import read_body
from hub.web.errors import error_response
from hub.web.keys import RUNTIME

log = logging.getLogger(__name__)
routes = web.RouteTableDef()


def _respond(answer: WebhookResponse) -> web.Response:
    return web.Response(status=answer.status, text=answer.body, content_type=answer.content_type)


@routes.route("*", "/webhooks/{inbox}")
@documented("Provider webhook (signature checked per inbox kind)", auth="provider", method="post")
async def webhook(request: web.Request) -> web.StreamResponse:
    ctx = request.app[RUNTIME].ctx
    slug = request.match_info["inbox"]
    inbox = ctx.inboxes_by_slug.get(slug)
    if inbox is None or ctx.config.inbox(slug) is None:
        return error_response(404, f"unknown inbox '{slug}'")
    adapter = ctx.adapters.get(slug)
    if adapter is None:
        return error_response(503, f"inbox '{slug}' is not configured on this server")
    if request.method not in ("GET", "POST"):
        return error_response(405, "only GET (handshake) and POST are accepted")
    # the raw body only: a form is decoded by its adapter after the signature check, so an
    # unsigned body that is not UTF-8 is refused like any other unsigned body
    body = await read_body(request)
    wreq = WebhookRequest(
        method=request.method,
        url=ctx.settings.public_url + request.path_qs,
        headers=request.headers,
        query=request.query,
        body=body,
        content_type=request.content_type,
        form=None,
    )
    try:
        if request.method == "GET":
            answer = adapter.handshake(wreq)
            if answer is None:
                return error_response(405, "this inbox has no GET handshake")
            return _respond(answer)
        adapter.verify(wreq)
        items = adapter.parse(wreq)
    except WebhookRejected as exc:
        # throttled: a flood of unsigned requests must not flood the log
        throttled(
            log,
            logging.WARNING,
            f"rejected:{slug}",
            "webhook for %s rejected (%d): %s",
            slug,
            exc.status,
            redact(exc.reason),
        )
        return error_response(exc.status, exc.reason)
    except PayloadInvalid as exc:
        # the reason may quote the body: only its class above DEBUG
        throttled(
            log,
            logging.INFO,
            f"invalid:{slug}",
            "webhook for %s: unparseable body (%s)",
            slug,
            type(exc).__name__,
        )
        log.debug("webhook for %s: unparseable body: %s", slug, exc.reason)
        return error_response(400, exc.reason)
    try:
        new = await ingest(ctx, inbox, items)
    except Exception as exc:  # the database refused this request's rows (alone: see ingest)
        failure(log, f"storing a webhook for {slug}", exc, key=f"store:{slug}")
        return error_response(503, "the items could not be stored now; retry later")
    log.debug("webhook %s: %d items, %d new", slug, len(items), new)
    return _respond(adapter.acknowledgement(items))
