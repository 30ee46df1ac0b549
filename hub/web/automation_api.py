"""Automation views for agents and operators: rule explanations, team queues."""

from __future__ import annotations

from aiohttp import web

routes = web.RouteTableDef()
