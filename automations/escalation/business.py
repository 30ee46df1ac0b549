"""Business triggers: integration failures, VIP contacts, sales moments, sensitive topics.

What counts (tiers, field values, intents, buttons) is the operator's, from
``escalation.yaml``; the keyword lists ship per language (``lexicon_topics.py``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from automations.escalation.settings import LanguagePack
from automations.escalation.signals import DetectorInput, Evidence, Signal, quiet

INTENT_SCORE = 0.9
KEYWORD_SCORE = 0.9
SALES_KEYWORD_SCORE = 0.7


def detect_integration_failure(inp: DetectorInput, threshold: float) -> Signal:
    if not inp.integration_failures:
        return quiet("integration_failure", threshold)
    ev = Evidence((inp.message.id,), ", ".join(inp.integration_failures), "failed while answering")
    return Signal("integration_failure", 1.0, threshold, (ev,))


def _values(value: object) -> list[str]:
    if isinstance(value, list | tuple | set | frozenset):
        return [str(v).casefold() for v in value]
    return [] if value is None else [str(value).casefold()]


def detect_vip(
    inp: DetectorInput,
    tiers: Collection[str],
    fields: Mapping[str, Collection[str]],
    threshold: float,
) -> Signal:
    tier = (inp.contact.tier or "").casefold()
    if tier and tier in {t.casefold() for t in tiers}:
        return Signal("vip", 1.0, threshold, (Evidence((), f"tier: {inp.contact.tier}"),))
    for name, wanted in fields.items():
        have = _values(inp.contact.fields.get(name))
        hit = next((v for v in have if v in {w.casefold() for w in wanted}), None)
        if hit is not None:
            return Signal("vip", 1.0, threshold, (Evidence((), f"{name}: {hit}"),))
    return quiet("vip", threshold)


def _intent(inp: DetectorInput) -> str | None:
    nlu = inp.message.nlu
    return nlu.intent if nlu is not None and not nlu.out_of_scope else None


def detect_sales_moment(
    inp: DetectorInput,
    packs: tuple[LanguagePack, ...],
    intents: Collection[str],
    buttons: Collection[str],
    threshold: float,
) -> Signal:
    msg = inp.message
    if msg.button is not None and msg.button in buttons:
        return Signal(
            "sales_moment", 1.0, threshold, (Evidence((msg.id,), f"button {msg.button}"),)
        )
    intent = _intent(inp)
    if intent is not None and intent in intents:
        ev = Evidence((msg.id,), f"intent {intent}")
        return Signal("sales_moment", INTENT_SCORE, threshold, (ev,))
    for pack in packs:
        hits = pack.sales.hits(msg.text)
        if hits:
            found = tuple(Evidence((msg.id,), h.phrase, h.category) for h in hits)
            return Signal("sales_moment", SALES_KEYWORD_SCORE, threshold, found)
    return quiet("sales_moment", threshold)


def detect_sensitive(
    inp: DetectorInput, packs: tuple[LanguagePack, ...], intents: Collection[str], threshold: float
) -> Signal:
    msg = inp.message
    evidence: list[Evidence] = []
    score = 0.0
    intent = _intent(inp)
    if intent is not None and intent in intents:
        evidence.append(Evidence((msg.id,), f"intent {intent}", "sensitive intent"))
        score = INTENT_SCORE
    for pack in packs:
        hits = pack.sensitive.hits(msg.text)
        evidence += [Evidence((msg.id,), h.phrase, h.category) for h in hits]
        if hits:
            score = max(score, KEYWORD_SCORE)
            break
    if not evidence:
        return quiet("sensitive", threshold)
    if len(evidence) > 1:
        score = 1.0
    return Signal("sensitive", score, threshold, tuple(evidence))
