"""Telegram sends with python-telegram-bot's Bot against the fake Bot API."""

from __future__ import annotations

import pytest

from channels.base import Attachment, Button, OutboundMessage
from channels.errors import PermanentSendError, TransientSendError
from tests.channels import adapters
from tests.channels.deliveries import BODY, deliveries

CHAT = "714862471"


def message(text: str = "Hello", **kw) -> OutboundMessage:
    return OutboundMessage(recipient=CHAT, text=text, reference="out-1", **kw)


@pytest.fixture
async def tg(telegram_api):
    adapter = adapters.telegram(api_url=telegram_api.base_url)
    yield adapter
    await adapter.close()


async def test_text_with_inline_buttons(tg, telegram_api) -> None:
    buttons = (Button("pricing", "Pricing"), Button("human", "Talk to someone"))
    result = await tg.send(message("Hi! How can we help?", buttons=buttons, reply_to=f"{CHAT}:119"))
    assert len(telegram_api.calls("getMe")) == 1  # Bot.initialize, once
    (request,) = telegram_api.calls("sendMessage")
    assert request.path == "/bot123:ABC/sendMessage"
    fields = request.fields
    assert (str(fields["chat_id"]), fields["text"]) == (CHAT, "Hi! How can we help?")
    assert fields["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Pricing", "callback_data": "pricing"}],
            [{"text": "Talk to someone", "callback_data": "human"}],
        ]
    }
    assert fields["reply_parameters"]["message_id"] == 119
    assert result.provider_message_id == f"{CHAT}:1"


async def test_media_by_url_with_caption(tg, telegram_api) -> None:
    photo = Attachment(kind="image", url="https://cdn.example/p.jpg")
    await tg.send(message("Look", attachments=(photo,)))
    (request,) = telegram_api.calls("sendPhoto")
    assert (request.fields["photo"], request.fields["caption"]) == (
        "https://cdn.example/p.jpg",
        "Look",
    )
    assert telegram_api.calls("sendMessage") == []


async def test_retry_after_is_transient_with_the_delay(tg, telegram_api) -> None:
    telegram_api.rate_limited(retry_after=7)
    with pytest.raises(TransientSendError) as caught:
        await tg.send(message())
    assert caught.value.retry_after == 7


async def test_bad_gateway_is_transient(tg, telegram_api) -> None:
    telegram_api.server_error()
    with pytest.raises(TransientSendError):
        await tg.send(message())
    assert (await tg.send(message())).provider_message_id


@pytest.mark.parametrize(
    ("code", "description", "words"),
    [
        (403, "Forbidden: bot was blocked by the user", "blocked"),
        (400, "Bad Request: chat not found", "Chat not found"),
    ],
)
async def test_permanent_errors(tg, telegram_api, code, description, words) -> None:
    telegram_api.permanent(code, description)
    with pytest.raises(PermanentSendError) as caught:
        await tg.send(message())
    assert words in caught.value.reason


async def test_rejected_token_is_permanent(telegram_api) -> None:
    tg = adapters.telegram(api_url=telegram_api.base_url)
    tg.secrets["bot_token"] = "999:WRONG"
    with pytest.raises(PermanentSendError, match="token"):
        await tg.send(message())


async def test_callback_queries_are_answered_after_receive(tg, telegram_api) -> None:
    (post,) = deliveries("telegram/callback_query.json", BODY)
    (item,) = tg.parse(post.request())
    await tg.after_receive(item)
    (answer,) = telegram_api.calls("answerCallbackQuery")
    assert answer.fields["callback_query_id"] == "4278655576057498272"


async def test_other_items_are_not_answered(tg, telegram_api) -> None:
    (post,) = deliveries("telegram/text.json", BODY)
    (item,) = tg.parse(post.request())
    await tg.after_receive(item)
    assert telegram_api.requests == []
