"""Telegram Bot API: secret-token webhooks parsed with ``Update.de_json``, sends with ``Bot``.

Telegram never batches (one update per POST). An update PTB cannot parse is returned as one
EVENT item ``content_type="unparseable"`` carrying the error, not raised: the hub stores it
as failed and answers 200, otherwise Telegram would re-send it for a day.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from datetime import timedelta
from typing import Any, ClassVar

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from channels.base import (
    Attachment,
    Capabilities,
    ChannelAdapter,
    InboundItem,
    ItemKind,
    OutboundMessage,
    Profile,
    SendResult,
    WebhookRequest,
)
from channels.binding import INVALID_ITEM
from channels.errors import PermanentSendError, SendError, TransientSendError
from channels.ratelimit import (
    TELEGRAM_OVERALL,
    TELEGRAM_PER_CHAT,
    TELEGRAM_PER_GROUP,
    Limiter,
    Rate,
)
from channels.screen import screen
from channels.signatures import verify_shared_token
from channels.wire import as_dict, header, json_object
from config.inboxes import TelegramInbox

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_API = "https://api.telegram.org"
MAX_BUTTONS = 100  #: inline keyboards take up to 100 buttons
MEDIA_KINDS = ("photo", "video", "audio", "voice", "document", "sticker", "animation", "video_note")
CONTENT_TYPES = {"photo": "image", "animation": "video", "video_note": "video"}
#: What a well-formed JSON object of the wrong shape makes PTB or parse_update raise.
SHAPE_ERRORS = (TypeError, ValueError, KeyError, AttributeError, OverflowError, OSError)


class TelegramAdapter(ChannelAdapter):
    kind: ClassVar[str] = "telegram"
    capabilities: ClassVar[Capabilities] = Capabilities(max_buttons=MAX_BUTTONS, media=True)
    secret_names: ClassVar[tuple[str, ...]] = ("bot_token", "webhook_secret")

    inbox: TelegramInbox

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limiter = Limiter("telegram per bot", overall=TELEGRAM_OVERALL, per_key=_chat_rate)
        self._bot: Bot | None = None

    @property
    def api_base(self) -> str:
        return str(self.inbox.api_url or DEFAULT_API).rstrip("/")

    # -- inbound ---------------------------------------------------------------------------

    def verify(self, request: WebhookRequest) -> None:
        # The inbox binding is this check: Telegram sends the secret given to setWebhook
        # for this bot only, and updates name no bot id (use one secret per inbox).
        verify_shared_token(header(request.headers, SECRET_HEADER), self.secrets["webhook_secret"])

    def parse(self, request: WebhookRequest) -> list[InboundItem]:
        raw = json_object(request.body)
        try:
            update = Update.de_json(raw, self._bot)
            item = parse_update(update, raw)
        except SHAPE_ERRORS as exc:
            # PTB checks few types: a ``text`` that is a number or a date of 1e20 fail
            # here or in parse_update; either way one failed item, never a 500.
            logger.warning("telegram: update the SDK cannot parse: %s", type(exc).__name__)
            self.refusals.add(INVALID_ITEM)
            return [unparseable(raw, request.body, exc)]
        return screen([item], self.refusals)

    async def after_receive(self, item: InboundItem) -> None:
        """Answer callback queries so the customer's button stops spinning."""
        query_id = item.data.get("callback_query_id")
        if item.content_type != "button" or not query_id:
            return
        try:
            await (await self.bot()).answer_callback_query(str(query_id))
        except TelegramError as exc:  # an unanswered spinner is cosmetic; never fail the item
            logger.warning("telegram: answer_callback_query failed: %s", type(exc).__name__)

    # -- outbound --------------------------------------------------------------------------

    async def bot(self) -> Bot:
        """The SDK client, initialised once (``initialize`` calls ``getMe``)."""
        if self._bot is None:
            bot = Bot(
                self.secrets["bot_token"],
                base_url=f"{self.api_base}/bot",
                base_file_url=f"{self.api_base}/file/bot",
            )
            try:
                await bot.initialize()
            except TelegramError as exc:
                await bot.shutdown()
                raise classify_telegram_error(exc) from None
            self._bot = bot
        return self._bot

    async def start(self) -> None:
        """Nothing eager: the first send initialises the bot, so a down API cannot stop boot."""

    async def close(self) -> None:
        if self._bot is not None:
            await self._bot.shutdown()
            self._bot = None

    async def send(self, message: OutboundMessage) -> SendResult:
        chat_id = message.recipient
        markup = keyboard(message)
        sent: Message | None = None
        try:
            bot = await self.bot()
            for index, attachment in enumerate(message.attachments):
                await self.limiter.acquire(chat_id)
                caption = message.text if index == 0 and not markup else None
                sent = await _send_media(bot, chat_id, attachment, caption)
            if markup or not message.attachments:
                await self.limiter.acquire(chat_id)
                sent = await bot.send_message(
                    chat_id=chat_id,
                    text=message.text,
                    reply_markup=markup,
                    reply_parameters=_reply(message.reply_to),
                )
        except TelegramError as exc:
            raise classify_telegram_error(exc) from None
        return SendResult(provider_message_id=_message_key(sent) if sent else None)


def _chat_rate(chat_id: str) -> Rate:
    """Groups and channels have negative ids and the stricter 20 messages/minute."""
    return TELEGRAM_PER_GROUP if chat_id.startswith("-") else TELEGRAM_PER_CHAT


def keyboard(message: OutboundMessage) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    rows = [
        [InlineKeyboardButton(b.title, callback_data=b.id[:64])]
        for b in message.buttons[:MAX_BUTTONS]
    ]
    return InlineKeyboardMarkup(rows)


async def _send_media(
    bot: Bot, chat_id: str, attachment: Attachment, caption: str | None
) -> Message:
    media = attachment.url or attachment.media_id
    if not media:
        raise PermanentSendError("attachment has neither a URL nor a file id", "attachment")
    if attachment.kind == "image":
        return await bot.send_photo(chat_id, media, caption=caption)
    if attachment.kind == "video":
        return await bot.send_video(chat_id, media, caption=caption)
    if attachment.kind == "audio":
        return await bot.send_audio(chat_id, media, caption=caption)
    if attachment.kind == "voice":
        return await bot.send_voice(chat_id, media, caption=caption)
    if attachment.kind == "sticker":
        return await bot.send_sticker(chat_id, media)
    return await bot.send_document(chat_id, media, caption=caption)


def classify_telegram_error(exc: TelegramError) -> SendError:
    """PTB's error classes already say what to do (contracts doc 5.3)."""
    if isinstance(exc, RetryAfter):
        return TransientSendError(str(exc), "429", retry_after=retry_after_seconds(exc))
    if isinstance(exc, ChatMigrated):
        return PermanentSendError(
            f"the group moved to chat {exc.new_chat_id}; update the contact", "chat_migrated"
        )
    if isinstance(exc, Forbidden):
        return PermanentSendError(f"the user blocked the bot or left: {exc.message}", "403")
    if isinstance(exc, InvalidToken):
        return PermanentSendError(f"the bot token was rejected: {exc.message}", "401")
    if isinstance(exc, BadRequest):
        return PermanentSendError(f"Telegram refused the message: {exc.message}", "400")
    if isinstance(exc, TimedOut | NetworkError):  # TimedOut: it may have been sent anyway
        return TransientSendError(f"Telegram unreachable: {exc.message}", "network")
    return PermanentSendError(f"Telegram error: {exc.message}", type(exc).__name__)


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # int periods are deprecated in PTB 22; accept both
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# -- parsing -----------------------------------------------------------------------------------


def _message_key(message: Message) -> str:
    """Telegram message ids are per chat; ``chat:message`` is unique per bot."""
    return f"{message.chat_id}:{message.message_id}"


def _reply(key: str | None) -> ReplyParameters | None:
    """``chat:message`` back to the message number Telegram wants."""
    tail = (key or "").rsplit(":", 1)[-1]
    if not tail.isdigit():
        return None
    return ReplyParameters(message_id=int(tail), allow_sending_without_reply=True)


def _plain(value: Any) -> str:
    """PTB enums (ChatType, ChatMemberStatus) as their wire strings."""
    return str(getattr(value, "value", value))


def _profile(user: Any) -> Profile | None:
    if user is None:
        return None
    return Profile(
        name=user.full_name or None,
        username=user.username,
        language=user.language_code,
    )


def parse_update(update: Update, raw: dict[str, Any]) -> InboundItem:
    event_id = str(update.update_id)
    if update.message is not None:
        return _message_item(update.message, event_id)
    if update.edited_message is not None:
        edited = update.edited_message
        item = _message_item(edited, event_id)
        return InboundItem(
            kind=ItemKind.EVENT,
            event_id=event_id,
            source_id=item.source_id,
            occurred_at=edited.edit_date or item.occurred_at,
            message_id=item.message_id,
            reply_to=item.message_id,
            content_type="edit",
            text=item.text,
            attachments=item.attachments,
            profile=item.profile,
            data={**item.data, "target_message_id": item.message_id},
        )
    if update.callback_query is not None:
        return _callback_item(update.callback_query, event_id)
    if update.my_chat_member is not None:
        member = update.my_chat_member
        new_status = member.new_chat_member.status
        content_type = "chat_member"
        if member.chat.type == "private" and new_status in ("kicked", "left"):
            content_type = "unreachable"
        elif member.chat.type == "private" and new_status == "member":
            content_type = "reachable"
        return InboundItem(
            kind=ItemKind.EVENT,
            event_id=event_id,
            source_id=str(member.chat.id),
            occurred_at=member.date,
            content_type=content_type,
            profile=_profile(member.from_user),
            data={
                "old_status": _plain(member.old_chat_member.status),
                "new_status": _plain(new_status),
                "chat_type": _plain(member.chat.type),
            },
        )
    kind = next((k for k in raw if k != "update_id"), "unknown")
    logger.info("telegram: update kind %r recorded as unsupported", kind)
    user = update.effective_user
    chat = update.effective_chat
    return InboundItem(
        kind=ItemKind.EVENT,
        event_id=event_id,
        source_id=str(chat.id if chat else user.id if user else ""),
        content_type="unsupported",
        profile=_profile(user),
        data={"update_type": kind},
    )


def _message_item(message: Message, event_id: str) -> InboundItem:
    data: dict[str, Any] = {"chat_type": _plain(message.chat.type)}
    text = message.text or message.caption
    content_type = "text"
    attachments: tuple[Attachment, ...] = ()
    payload = None
    for kind in MEDIA_KINDS:
        media = getattr(message, kind)
        if media:
            if isinstance(media, tuple):  # photo sizes: keep the largest
                media = media[-1]
            content_type = "voice" if kind == "voice" else CONTENT_TYPES.get(kind, kind)
            attachments = (
                Attachment(
                    kind=content_type,
                    media_id=media.file_id,
                    mime_type=getattr(media, "mime_type", None),
                    filename=getattr(media, "file_name", None),
                    caption=message.caption,
                ),
            )
            break
    if message.location is not None:
        content_type = "location"
        loc = message.location
        attachments = (
            Attachment(
                kind="location", data={"latitude": loc.latitude, "longitude": loc.longitude}
            ),
        )
    elif message.contact is not None:
        content_type = "contacts"
        contact = message.contact
        attachments = (
            Attachment(
                kind="contacts",
                filename=" ".join(filter(None, [contact.first_name, contact.last_name])),
                data={"phone_number": contact.phone_number, "user_id": contact.user_id},
            ),
        )
    elif not text and not attachments:
        content_type = "unsupported"
    if message.text and message.text.startswith("/"):
        command, _, args = message.text[1:].partition(" ")
        data["command"] = command.split("@", 1)[0]
        data["command_args"] = args.strip()
        if data["command"] == "start" and data["command_args"]:
            # Deep link t.me/<bot>?start=<payload>: same meaning as a Messenger m.me ref.
            data["referral"] = {"ref": data["command_args"], "source": "deep_link"}
            payload = data["command_args"]
    reply = message.reply_to_message
    return InboundItem(
        kind=ItemKind.MESSAGE,
        event_id=event_id,
        source_id=str(message.chat.id),
        occurred_at=message.date,
        message_id=_message_key(message),
        content_type=content_type,
        text=text,
        payload=payload,
        attachments=attachments,
        reply_to=_message_key(reply) if reply else None,
        profile=_profile(message.from_user),
        data=data,
    )


def _callback_item(query: CallbackQuery, event_id: str) -> InboundItem:
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    title = None
    markup = getattr(message, "reply_markup", None)
    if markup is not None:
        title = next(
            (
                b.text
                for row in markup.inline_keyboard
                for b in row
                if b.callback_data == query.data
            ),
            None,
        )
    return InboundItem(
        kind=ItemKind.MESSAGE,
        event_id=event_id,
        source_id=str(chat_id),
        message_id=f"callback:{query.id}",
        content_type="button",
        text=title,
        payload=query.data,
        reply_to=f"{chat_id}:{message.message_id}" if message is not None else None,
        profile=_profile(query.from_user),
        data={"callback_query_id": query.id, "reply_type": "callback_query"},
    )


def unparseable(raw: dict[str, Any], body: bytes, exc: Exception) -> InboundItem:
    """One failed item for a body the SDK refused; keyed by its hash (ids may be missing or
    reused, as in Telegram's own examples that all say ``update_id: 10000``)."""
    digest = hashlib.sha256(body).hexdigest()[:32]
    return InboundItem(
        kind=ItemKind.EVENT,
        event_id=f"unparseable:{digest}",
        source_id=_guess_chat(raw),
        content_type="unparseable",
        error=f"{type(exc).__name__}: {exc}"[:500],
        data={"update_id": raw.get("update_id"), "update_type": _update_type(raw)},
    )


def _update_type(raw: dict[str, Any]) -> str:
    return next((k for k in raw if k != "update_id"), "unknown")


def _guess_chat(raw: dict[str, Any]) -> str:
    body = raw.get(_update_type(raw))
    if not isinstance(body, dict):
        return ""
    for holder in (body.get("chat"), as_dict(body.get("message")).get("chat"), body.get("from")):
        if isinstance(holder, dict) and holder.get("id") is not None:
            return str(holder["id"])
    return ""
