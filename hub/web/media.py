"""Agent access to inbound media, fetched lazily from the provider."""

from __future__ import annotations

from aiohttp import web

routes = web.RouteTableDef()
