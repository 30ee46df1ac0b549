"""The local classifier on small FAQ sets: answers, rejections and bad input."""

from __future__ import annotations

import pickle

import pytest

from automations.nlu.cache import config_hash, load_cached, load_or_train
from automations.nlu.engine import NluEngine, training_examples
from automations.nlu.errors import ModelCacheError, TrainingError
from automations.nlu.fast import FastScorer
from automations.nlu.local import ClassifierOptions, Example, LocalClassifier
from automations.nlu.result import NluResult
from automations.nlu.text import MAX_CHARS, normalize
from tests.automations.nlu.sets import faq


@pytest.mark.parametrize(
    ("text", "language", "intent"),
    [
        ("how much is the pro plan?", "en", "pricing"),
        ("I forgot my password, help", "en", "reset_password"),
        ("Combien coûte l'offre Pro ?", "fr", "pricing"),
        ("j'ai oublié mon mot de passe", "fr", "reset_password"),
        ("où puis-je télécharger mes factures ?", "fr", "invoices"),
    ],
)
def test_clear_question_is_answered_in_its_language(engine: NluEngine, text, language, intent):
    result = engine.classify(text)
    assert result.intent == intent
    assert not result.out_of_scope
    assert result.language == language
    assert result.provider == "local"
    answer = engine.answer(result)
    assert answer is not None
    assert answer.language == language
    assert answer.text == (f"{intent} answer" if language == "en" else f"réponse {intent}")


def test_confidences_are_ranked_probabilities(engine: NluEngine):
    result = engine.classify("what are your prices")
    assert result.candidates[0].intent == "pricing"
    confidences = [c.confidence for c in result.candidates]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert result.runner_up == result.candidates[1]
    assert result.confidence > result.runner_up.confidence
    # the out-of-scope class takes the rest of the probability mass
    total = sum(engine.classifier.probabilities("what are your prices").values())
    assert 0.5 < total <= 1.0 + 1e-9


@pytest.mark.parametrize(
    "text",
    ["Who painted the Mona Lisa?", "Qui a peint la Joconde ?", "How do I train for a marathon?"],
)
def test_question_outside_the_intents_is_rejected(engine: NluEngine, text):
    result = engine.classify(text)
    assert result.out_of_scope
    assert result.intent is None
    assert engine.answer(result) is None
    assert result.candidates  # what the bot considered is still reported
    assert result.threshold is not None
    assert result.confidence < result.threshold


def test_threshold_is_calibrated_per_configuration():
    with_oos = LocalClassifier.train(*training_examples(faq(out_of_scope=True)))
    without = LocalClassifier.train(training_examples(faq(out_of_scope=False))[0])
    assert with_oos.calibration.source == "out-of-scope examples"
    assert with_oos.calibration.heldout_out_of_scope > 0
    assert without.calibration.source == "held-out in-scope examples"
    assert without.calibration.heldout_out_of_scope == 0
    assert with_oos.threshold != without.threshold
    assert 0 < without.threshold < 1
    # without out-of-scope examples, an unrelated question is still rejected
    assert without.classify("Who painted the Mona Lisa?").out_of_scope
    assert without.classify("how much is the pro plan?").intent == "pricing"


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "😀🎉👍", "🙂 ?!"])
def test_empty_whitespace_and_emoji_only_are_out_of_scope(engine: NluEngine, text):
    result = engine.classify(text)
    assert result.out_of_scope
    assert result.intent is None
    assert result.confidence == 0.0


def test_20000_character_message_is_classified_from_its_start(engine: NluEngine):
    text = "I forgot my password and cannot log in. " * 500
    assert len(text) >= 20_000
    assert len(normalize(text)) <= MAX_CHARS
    result = engine.classify(text)
    assert result.intent == "reset_password"
    noise = engine.classify("zq" * 10_000)
    assert noise.out_of_scope


def test_mixed_script_message_does_not_crash(engine: NluEngine):
    result = engine.classify("password 密码 пароль mot de passe oublié")
    assert isinstance(result, NluResult)
    assert result.language in ("en", "fr")
    assert engine.classify("密码 пароль").out_of_scope


def test_single_intent_trains_and_rejects_unrelated():
    examples = [
        Example(t, "pricing")
        for t in [
            "How much does it cost?",
            "What are your prices?",
            "Price of the Pro plan",
            "How much is the subscription?",
            "Is it expensive?",
        ]
    ]
    model = LocalClassifier.train(examples)
    assert model.classify("how much does the Pro plan cost?").intent == "pricing"
    assert model.classify("Who painted the Mona Lisa?").out_of_scope


def test_no_text_at_all_is_a_training_error():
    with pytest.raises(TrainingError):
        LocalClassifier.train([Example("   ", "a"), Example("", "b")])


def test_model_is_cached_by_config_hash(tmp_path):
    examples, oos = training_examples(faq())
    options = ClassifierOptions()
    first = load_or_train(examples, oos, options=options, cache_dir=tmp_path)
    key = config_hash(examples, oos, options)
    cached = load_cached(tmp_path, key)
    assert cached is not None
    assert cached.threshold == first.threshold
    assert cached.classify("I forgot my password").intent == "reset_password"
    # another configuration has another key, hence its own model and threshold
    changed = [*examples, Example("Do you offer discounts for students?", "pricing")]
    assert config_hash(changed, oos, options) != key
    assert load_cached(tmp_path, config_hash(changed, oos, options)) is None


def test_corrupt_cache_file_is_replaced(tmp_path):
    examples, oos = training_examples(faq())
    key = config_hash(examples, oos, ClassifierOptions())
    path = tmp_path / f"nlu-local-{key}.pkl"
    path.write_bytes(b"not a pickle")
    with pytest.raises(ModelCacheError):
        load_cached(tmp_path, key)
    model = load_or_train(examples, oos, cache_dir=tmp_path)
    assert model.classify("what are your prices").intent == "pricing"
    assert isinstance(pickle.loads(path.read_bytes()), LocalClassifier)


def test_result_is_frozen_and_serialisable(engine: NluEngine):
    result = engine.classify("how much is it?")
    with pytest.raises(AttributeError):
        result.intent = "x"  # type: ignore[misc]
    data = result.to_dict()
    assert data["intent"] == result.intent
    assert result.runner_up is not None
    assert data["runner_up"]["intent"] == result.runner_up.intent


@pytest.mark.parametrize(
    "options",
    [
        ClassifierOptions(),
        ClassifierOptions(embedding_weight=0.0),
        ClassifierOptions(embedding_weight=0.0, transformer_weight=0.0),
    ],
)
def test_fast_scoring_matches_scikit_learn(options):
    import numpy as np

    from automations.nlu.fitting import fit as _fit
    from automations.nlu.local import OOS_LABEL

    examples, oos = training_examples(faq())
    texts = [normalize(e.text) for e in examples] + [normalize(t) for t in oos]
    labels = [e.intent for e in examples] + [OOS_LABEL] * len(oos)
    fitted = _fit(texts, labels, options)
    assert fitted.model is not None
    fast = FastScorer(fitted.features.transformer_list, fitted.model.coef_, fitted.model.intercept_)
    texts = [
        "how much is the pro plan?",
        "j'ai oublié mon mot de passe",
        "invoice invoice pdf",
        "zq",
    ]
    for text in texts:
        clean = normalize(text)
        expected = fitted.decision([clean])[0]
        got, _ = fast.decide(clean)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_binary_model_fast_path_matches():
    import numpy as np

    from automations.nlu.fitting import fit as _fit

    texts = ["how much does it cost", "what are the prices", "tell me a joke", "weather tomorrow"]
    fitted = _fit(texts, ["pricing", "pricing", "oos", "oos"], ClassifierOptions())
    assert fitted.model is not None
    fast = FastScorer(fitted.features.transformer_list, fitted.model.coef_, fitted.model.intercept_)
    clean = normalize("how much is it")
    np.testing.assert_allclose(
        fast.decide(clean)[0], fitted.decision([clean])[0], rtol=1e-5, atol=1e-6
    )
    # and it survives the cache's pickling (analyzers rebuilt on first use)
    again = pickle.loads(pickle.dumps(fast))
    np.testing.assert_allclose(again.decide(clean)[0], fast.decide(clean)[0])


@pytest.mark.parametrize(("refit", "fits"), [(True, 2), (False, 1)])
def test_fast_model_skips_the_refit_after_a_single_split(monkeypatch, refit, fits):
    import automations.nlu.fitting as fitting
    import automations.nlu.local as local

    calls: list[int] = []
    real = fitting.fit

    def counting(texts, labels, options):
        calls.append(len(texts))
        return real(texts, labels, options)

    monkeypatch.setattr(fitting, "fit", counting)  # the held-out split's fit
    monkeypatch.setattr(local, "fit", counting)  # the refit
    examples, oos = training_examples(faq())
    # small_data=10: this set counts as large, so calibration uses one held-out split
    options = ClassifierOptions(small_data=10, refit=refit, transformer_weight=0.0)
    model = LocalClassifier.train(examples, oos, options=options)
    assert len(calls) == fits
    assert model.calibration.heldout_in_scope > 0
    assert model.classify("how much is the pro plan?").intent == "pricing"


def test_intent_names_are_examples_too():
    from automations.nlu.local import _name_examples

    names = ["card_arrival", "reset-password", "__", "pricing"]
    named = _name_examples(names, {"pricing"})
    # a name of only separators teaches nothing; one already an example is not added twice
    assert named == [("card arrival", "card_arrival"), ("reset password", "reset-password")]
    examples = [Example("where is my new card", "card_arrival"), Example("top up", "top_up")]
    with_names = LocalClassifier.train(examples, options=ClassifierOptions(transformer_weight=0))
    without = LocalClassifier.train(
        examples, options=ClassifierOptions(transformer_weight=0, name_examples=False)
    )
    # the name's words now point at its intent
    assert (
        with_names.probabilities("arrival")["card_arrival"]
        > without.probabilities("arrival")["card_arrival"]
    )
