"""Request and response bodies of the HTTP API: validation and the OpenAPI schemas."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hub.errors import InvalidRequest

M = TypeVar("M", bound=BaseModel)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReplyIn(Body):
    text: str = Field(min_length=1, max_length=4096)


class FieldsIn(Body):
    """Custom field writes; ``null`` clears a field."""

    fields: dict[str, object] = Field(min_length=1, max_length=100)


class VisitorMessageIn(Body):
    client_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    text: str | None = Field(default=None, max_length=4096)
    payload: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _text_or_payload(self) -> VisitorMessageIn:
        if not (self.text and self.text.strip()) and not self.payload:
            raise ValueError("a message needs 'text' or 'payload'")
        return self


class ButtonOut(BaseModel):
    id: str
    title: str


class MessageOut(BaseModel):
    id: int
    direction: str
    sender_kind: str
    text: str | None
    content_type: str
    buttons: list[ButtonOut] = []
    payload: str | None = None
    delivery_status: str | None = None
    error: str | None = None
    created_at: datetime


class ContactOut(BaseModel):
    id: int
    name: str | None
    email: str | None
    phone: str | None
    language: str | None
    custom_fields: dict[str, object] = {}


class ConversationOut(BaseModel):
    id: int
    inbox: str
    status: str
    team: str | None
    assignee_id: int | None
    priority: int
    language: str | None
    labels: list[str] = []
    contact: ContactOut
    created_at: datetime
    updated_at: datetime
    last_customer_message_at: datetime | None


class ConversationDetailOut(ConversationOut):
    messages: list[MessageOut]


class ConversationListOut(BaseModel):
    conversations: list[ConversationOut]


class AgentOut(BaseModel):
    id: int
    email: str
    name: str
    role: str


class VisitorSessionOut(BaseModel):
    token: str
    visitor_id: str


class VisitorMessageAccepted(BaseModel):
    id: str
    duplicate: bool


class VisitorHistoryOut(BaseModel):
    messages: list[MessageOut]


class ErrorOut(BaseModel):
    error: str


def parse_body(model: type[M], data: object) -> M:
    """Validate a decoded JSON body; the first problem becomes a one-line 400 reason."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise InvalidRequest(f"{where}: {first.get('msg', 'invalid')}") from None
