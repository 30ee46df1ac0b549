"""The ONNX sentence encoder: BERT's token ids, vectors, the training memo, the fallback."""

from __future__ import annotations

import numpy as np
import pytest

from automations.nlu.embeddings import DEFAULT_VOCAB as DEFAULT_STATIC_VOCAB
from automations.nlu.embeddings import basic_words
from automations.nlu.encoder import MAX_TOKENS, SentenceEncoder, TransformerFeatures
from automations.nlu.engine import training_examples
from automations.nlu.local import ClassifierOptions, LocalClassifier
from automations.nlu.text import normalize
from tests.automations.nlu.sets import faq

pytestmark = pytest.mark.skipif(
    not SentenceEncoder.available(), reason="onnxruntime or the encoder model is not installed"
)


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder.load()


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        # ids given by the model's own tokenizer (tokenizers 0.23, its tokenizer.json)
        ("my card hasn't arrived yet!", [101, 2026, 4003, 8440, 1005, 1056, 3369, 2664, 999, 102]),
        (
            "Où est ma carte bancaire ?",
            [101, 15068, 9765, 5003, 11122, 2063, 7221, 3540, 7442, 1029, 102],
        ),
        ("unaffordable 日本", [101, 14477, 4246, 8551, 3085, 1864, 1876, 102]),
    ],
)
def test_token_ids_are_berts(encoder: SentenceEncoder, text: str, ids: list[int]):
    assert encoder.token_ids(text) == ids


def test_unknown_word_is_unk_and_long_text_is_cut(encoder: SentenceEncoder):
    assert encoder.token_ids("x" * 200) == [101, 100, 102]
    ids = encoder.token_ids("card " * 500)
    assert len(ids) == MAX_TOKENS
    assert ids[0] == 101
    assert ids[-1] == 102


def test_vectors_put_paraphrases_together(encoder: SentenceEncoder):
    card, late, weather = (
        encoder.encode_one(t)
        for t in ("my card has not arrived", "the card still hasn't come", "is it sunny today")
    )
    assert card.shape == (encoder.dim,)
    half = encoder.dim // 2
    # the mean and the max halves are each of unit length
    assert float(card[:half] @ card[:half]) == pytest.approx(1.0, abs=1e-5)
    assert float(card[half:] @ card[half:]) == pytest.approx(1.0, abs=1e-5)
    assert float(card[:half] @ late[:half]) > float(card[:half] @ weather[:half]) + 0.2


def test_batches_agree_with_one_message_at_a_time(encoder: SentenceEncoder):
    texts = ["hi", "where is my new card", "I want to close my account right now please"]
    batch = encoder.encode(texts)
    for text, row in zip(texts, batch, strict=True):
        # int8 activations are quantized per batch: close, not identical
        assert float(row @ encoder.encode_one(text)) / 2 > 0.97


def test_training_encodes_each_text_once(encoder: SentenceEncoder, monkeypatch):
    calls: list[int] = []
    real = encoder._encode_batch

    def counting(texts):
        calls.append(len(texts))
        return real(texts)

    monkeypatch.setattr(encoder, "_encode_batch", counting)
    examples, oos = training_examples(faq())
    LocalClassifier.train(examples, oos)
    distinct = {normalize(e.text) for e in examples} | {normalize(t) for t in oos}
    distinct |= {normalize(e.intent.replace("_", " ")) for e in examples}  # the names
    assert sum(calls) <= len(distinct) + 1  # +1: the fast path's probe, outside the memo
    assert encoder._memo is None  # forgotten after training


def test_classifier_does_without_the_encoder(monkeypatch):
    monkeypatch.setattr(SentenceEncoder, "available", staticmethod(lambda *a: False))
    examples, oos = training_examples(faq())
    model = LocalClassifier.train(examples, oos)
    assert not model.uses_encoder
    assert model.classify("how much is the pro plan?").intent == "pricing"


def test_missing_onnxruntime_means_unavailable(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert not SentenceEncoder.available()


@pytest.mark.parametrize(("pooling", "columns"), [("mean", 384), ("mean+max", 768)])
def test_pooling_chooses_the_columns(pooling: str, columns: int):
    step = TransformerFeatures(2.0, pooling).fit(["x"])
    row = step.transform(["where is my card"]).toarray()[0]
    assert row.shape == (columns,)
    assert float(np.linalg.norm(row)) == pytest.approx(2.0, rel=1e-4)
    np.testing.assert_allclose(row, step.encode_one("where is my card"), rtol=1e-5, atol=1e-6)


def test_transformer_features_pickle_without_the_model():
    import pickle

    step = TransformerFeatures(2.0)
    step.fit(["x"])
    blob = pickle.dumps(step)
    assert len(blob) < 1000
    again = pickle.loads(blob)
    np.testing.assert_allclose(
        again.encode_one("card"), step.encode_one("card"), rtol=1e-6, atol=1e-6
    )


def test_options_can_switch_the_transformer_off():
    examples, oos = training_examples(faq())
    model = LocalClassifier.train(examples, oos, options=ClassifierOptions(transformer_weight=0))
    assert not model.uses_encoder


def test_transformer_is_left_out_of_large_training_sets():
    examples, oos = training_examples(faq())
    small = LocalClassifier.train(examples, oos)
    large = LocalClassifier.train(examples, oos, options=ClassifierOptions(transformer_up_to=5))

    assert small.uses_encoder
    assert not large.uses_encoder
    assert large.options.transformer_weight == 0
    assert large.classify("how much is the pro plan?").intent == "pricing"


def test_vector_store_encodes_only_new_texts(encoder: SentenceEncoder, tmp_path, monkeypatch):
    from automations.nlu.vector_store import VectorStore

    calls: list[list[str]] = []
    real = encoder._encode_batch

    def counting(texts):
        calls.append(list(texts))
        return real(texts)

    monkeypatch.setattr(encoder, "_encode_batch", counting)
    with encoder.remembering(tmp_path):
        first = encoder.encode(["where is my card", "close my account"])
    with encoder.remembering(tmp_path):  # a restart or reload with one new example
        again = encoder.encode(["where is my card", "close my account", "a new example"])
    assert calls == [["where is my card", "close my account"], ["a new example"]]
    np.testing.assert_array_equal(again[:2], first)
    # vectors of another model version are never mixed in
    assert len(VectorStore(tmp_path, encoder.version(), encoder.dim)) == 3
    assert len(VectorStore(tmp_path, "another-model", encoder.dim)) == 0


def test_damaged_vector_store_is_rebuilt(encoder: SentenceEncoder, tmp_path):
    from automations.nlu.vector_store import VectorStore

    store = VectorStore(tmp_path, encoder.version(), encoder.dim)
    store.folder.mkdir(parents=True)
    (store.folder / "vectors.npz").write_bytes(b"not numpy")
    assert len(store) == 0
    with encoder.remembering(tmp_path):
        encoder.encode(["where is my card"])
    assert len(VectorStore(tmp_path, encoder.version(), encoder.dim)) == 1


def test_static_vectors_and_encoder_share_one_vocabulary(encoder: SentenceEncoder):
    from automations.nlu.embeddings import StaticEmbeddings, word_pieces

    static = StaticEmbeddings.load()
    assert static.pieces is encoder.pieces  # one ids dict and one cache of word pieces
    # the static rows found through the shared ids are those of the static vocabulary
    own = {t: i for i, t in enumerate(DEFAULT_STATIC_VOCAB.read_text("utf-8").splitlines())}
    for text in ("my card hasn't arrived yet!", "Où est ma carte bancaire ?", "zzqx 日本"):
        expected = [i for w in basic_words(text) for i in (word_pieces(w, own) or ())]
        assert static.token_ids(text) == expected


def test_a_changed_configuration_encodes_only_its_new_examples(
    encoder: SentenceEncoder, tmp_path, monkeypatch
):
    from automations.nlu.cache import load_or_train
    from automations.nlu.local import Example

    examples, oos = training_examples(faq())
    load_or_train(examples, oos, cache_dir=tmp_path)
    calls: list[list[str]] = []
    real = encoder._encode_batch

    def counting(texts):
        calls.append(list(texts))
        return real(texts)

    monkeypatch.setattr(encoder, "_encode_batch", counting)
    changed = [*examples, Example("Do you have a discount for students?", "pricing")]
    model = load_or_train(changed, oos, cache_dir=tmp_path)
    assert calls == [["do you have a discount for students?"]]
    assert model.classify("student discount please").intent == "pricing"
