"""Model of ``surveys.yaml``: short question sequences whose answers fill custom fields."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import Field

from config.automation_types import Duration, LocalText, Name, NonEmpty
from config.validation import StrictModel

#: what a customer may type to leave a survey for a person, unless a survey says otherwise
DEFAULT_HUMAN_PHRASES: dict[str, tuple[str, ...]] = {
    "en": ("human", "agent", "person", "talk to someone", "real person", "operator"),
    "fr": ("humain", "conseiller", "agent", "parler à quelqu'un", "une personne"),
    "es": ("humano", "agente", "persona", "hablar con alguien", "asesor"),
    "zh": ("人工", "客服", "真人", "转人工"),
}


class Question(StrictModel):
    """One question; its answer is validated as the bound field's type and stored there."""

    field: Name
    text: LocalText
    #: show the field's choices as buttons where the channel has enough of them
    buttons: bool = True
    #: said after an invalid answer, before asking again; default: the field's refusal message
    retry_text: LocalText | None = None


class SurveyDef(StrictModel):
    name: Name
    questions: Annotated[tuple[Question, ...], NonEmpty]
    #: how many answers a question gets before the survey skips it and carries on
    max_attempts: int = Field(default=3, ge=1, le=10)
    #: with no answer for this long the survey is abandoned
    timeout: Duration = timedelta(minutes=30)
    #: typing one of these leaves the survey for a person; per language
    human_phrases: dict[str, tuple[str, ...]] | None = None
    #: button ids that mean "a person please" (e.g. the welcome message's ``human``)
    human_buttons: tuple[str, ...] = ("human",)
    intro: LocalText | None = None
    outro: LocalText | None = None

    def phrases(self) -> dict[str, tuple[str, ...]]:
        return self.human_phrases if self.human_phrases is not None else DEFAULT_HUMAN_PHRASES


class SurveysFile(StrictModel):
    surveys: tuple[SurveyDef, ...] = ()

    def get(self, name: str) -> SurveyDef | None:
        return next((s for s in self.surveys if s.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.surveys)
