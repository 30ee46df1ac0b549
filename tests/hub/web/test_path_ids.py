"""Ids in API paths and paging are checked before any query: out of range or not decimal
is a 404 (paths) or a 400 (paging), never a 500 from the database driver."""

from __future__ import annotations

import pytest

from hub.auth import create_api_token
from hub.store.models import Agent
from hub.web.params import MAX_ID, parse_id
from tests.support.harness import HubHarness

BAD_IDS = [str(2**63), str(2**64 + 5), "9" * 40, "-1", "0", "1e3", "١٢", "1_000", " 1"]


@pytest.fixture
async def token(embedded: HubHarness) -> str:
    agent = await Agent.create(email="sue@example.com", name="Sue", role="supervisor")
    return await create_api_token(agent)


@pytest.mark.parametrize("bad", BAD_IDS)
async def test_out_of_range_path_ids_are_404(embedded: HubHarness, token: str, bad: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    http = embedded.http
    answers = [
        await http.get(f"/api/conversations/{bad}", headers=auth),
        await http.post(f"/api/conversations/{bad}/messages", json={"text": "hi"}, headers=auth),
        await http.get(f"/api/conversations/{bad}/explanations", headers=auth),
        await http.patch(f"/api/contacts/{bad}/fields", json={"fields": {"a": 1}}, headers=auth),
        await http.get(f"/api/messages/{bad}/attachments/0", headers=auth),
        await http.get(f"/api/messages/1/attachments/{bad}", headers=auth),
    ]
    assert [a.status for a in answers] == [404] * len(answers), bad
    for answer in answers:
        assert "\n" not in (await answer.json())["error"]


@pytest.mark.parametrize("bad", [str(2**63), "9" * 40, "x"])
async def test_out_of_range_paging_ids_are_400(embedded: HubHarness, token: str, bad: str) -> None:
    response = await embedded.http.get(
        f"/api/conversations?before_id={bad}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 400


def test_parse_id_takes_exactly_the_database_range() -> None:
    assert parse_id("1") == 1
    assert parse_id(str(MAX_ID)) == MAX_ID
    for bad in [*BAD_IDS, str(MAX_ID + 1), ""]:
        assert parse_id(bad) is None, bad
