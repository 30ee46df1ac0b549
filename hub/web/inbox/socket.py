"""The inbox's web socket: the feed's events that this agent may see, numbered.

``/inbox/ws?epoch=E&after=N`` resumes after event N of feed E: the missed events are
replayed in order before live ones. The first message says where the stream starts
(``hello`` with the feed's epoch and number) and whether the client must ``resync``
(refetch its list and conversation) because the missed events are not all buffered.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from hub.store.models import Agent, Conversation
from hub.web.agent_api import agent_view
from hub.web.inbox.feed import FeedEvent
from hub.web.inbox.keys import FEED
from hub.web.inbox.sessions import COOKIE, same_origin, session_for
from hub.web.keys import OPEN_SOCKETS

routes = web.RouteTableDef()
HEARTBEAT_S = 25.0
#: how often an open socket checks that its session still exists (sign-out, expiry)
SESSION_CHECK_S = 30.0


@routes.get("/inbox/ws")
async def inbox_socket(request: web.Request) -> web.StreamResponse:
    if not same_origin(request):
        raise web.HTTPForbidden(text="cross-origin socket refused")
    token = request.cookies.get(COOKIE)
    found = await session_for(token)
    if found is None:
        raise web.HTTPUnauthorized(text="not signed in, or the session expired")
    _, agent = found
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        raise web.HTTPBadRequest(text="after must be an integer") from None
    epoch = request.query.get("epoch", "")
    feed = request.app[FEED]
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_S, max_msg_size=4096)
    await ws.prepare(request)
    request.app[OPEN_SOCKETS].add(ws)
    async with feed.subscribe() as queue:
        replay = feed.since(epoch, after) if epoch else []
        await ws.send_json(
            {"type": "hello", "epoch": feed.epoch, "seq": feed.seq, "resync": replay is None}
        )
        start = after if replay is not None else feed.seq
        sent = await _send(ws, request.app, agent, replay or [], start)
        reader = asyncio.create_task(_drain_client(ws))
        try:
            while not ws.closed and not reader.done():
                try:
                    first = await asyncio.wait_for(queue.get(), SESSION_CHECK_S)
                except TimeoutError:
                    if await session_for(token) is None:
                        await ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"signed out")
                    continue
                batch = [first]
                while not queue.empty():
                    batch.append(queue.get_nowait())
                sent = await _send(ws, request.app, agent, batch, sent)
                if queue in feed.overflowed:  # it missed events: resume from the buffer
                    await ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"resume")
        except (ConnectionResetError, RuntimeError):
            pass
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            await ws.close()
    return ws


async def _send(
    ws: web.WebSocketResponse,
    app: web.Application,
    agent: Agent,
    events: Iterable[FeedEvent],
    sent: int,
) -> int:
    """Send the events after ``sent`` that ``agent`` may see; returns the last number sent.
    Visibility is the agent API's own ``visible_to``, asked once per batch; a conversation
    the agent can no longer see (taken by a colleague) is announced as ``hidden``."""
    todo = [event for event in events if event.seq > sent]
    if not todo:
        return sent
    ids = {event.conversation_id for event in todo}
    found: list[Any] = list(
        await Conversation.filter(agent_view(app, agent), id__in=ids).values_list("id", flat=True)
    )
    visible = {int(i) for i in found}
    for event in todo:
        if event.conversation_id in visible:
            await ws.send_json(event.to_json())
        elif event.kind == "conversation":
            await ws.send_json(
                {"type": "hidden", "seq": event.seq, "conversation_id": event.conversation_id}
            )
        sent = event.seq
    return sent


async def _drain_client(ws: web.WebSocketResponse) -> None:
    """The client sends nothing but pings; read until it closes."""
    async for message in ws:
        if message.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
            break
