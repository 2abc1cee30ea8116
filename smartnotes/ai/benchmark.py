"""Measure local embedding throughput: ``python -m smartnotes.ai.benchmark [--chunks 200] [--words 100]``.

Builds deterministic lecture-like chunks (sentences drawn from a fixed vocabulary), loads the local model
(timed separately), then times ``embed_texts`` over all chunks for each batch size given.
"""

from __future__ import annotations

import argparse
import os
import random
import time

_VOCABULARY = (
    "algorithm data structure heap tree graph node edge vertex path cycle sorting merge quick insertion "
    "complexity time space linear logarithmic quadratic recursion induction proof lemma theorem invariant "
    "array list stack queue hash table key value pointer memory cache processor thread lock deadlock "
    "protein enzyme cell membrane mitochondria energy photosynthesis glucose reaction equilibrium acid base "
    "market price demand supply elasticity inflation interest rate policy government tax revenue budget "
    "the a of and to in is that for it as with was on be by this are from or which an at not we can"
)
_WORDS = _VOCABULARY.split()


def make_chunks(n: int, words: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - reproducible test text
    chunks = []
    for _ in range(n):
        sentence_words: list[str] = []
        out = []
        while len(out) < words:
            sentence_words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 18))]
            sentence_words[0] = sentence_words[0].capitalize()
            out.extend(sentence_words)
            out[-1] += "."
        chunks.append(" ".join(out[:words]))
    return chunks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=200)
    parser.add_argument("--words", type=int, default=100)
    parser.add_argument("--batch-sizes", default="64", help="comma-separated, e.g. 16,32,64")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from smartnotes.ai import AISettings, embed_texts
    from smartnotes.ai.embeddings import LOCAL_MAX_TOKENS, _load_local_model

    settings = AISettings.from_env({k: v for k, v in os.environ.items() if k != "EMBEDDING_BACKEND"})
    chunks = make_chunks(args.chunks, args.words)

    start = time.perf_counter()
    model = _load_local_model(settings)
    load_s = time.perf_counter() - start
    tokens = [len(model.tokenizer(c)["input_ids"]) for c in chunks]
    embed_texts(chunks[:8], settings=settings)  # warm-up pass

    import torch

    print(f"model={settings.embedding_model_id} torch_threads={torch.get_num_threads()} cpus={os.cpu_count()}")
    print(f"model load: {load_s:.2f} s")
    print(
        f"{len(chunks)} chunks x {args.words} words; word pieces per chunk: mean {sum(tokens) / len(tokens):.0f}, "
        f"max {max(tokens)} (truncated above {LOCAL_MAX_TOKENS})"
    )
    for batch_size in (int(b) for b in args.batch_sizes.split(",")):
        timings = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            vectors = embed_texts(chunks, batch_size=batch_size, settings=settings)
            timings.append(time.perf_counter() - start)
        assert vectors.shape == (len(chunks), settings.embedding_dimensions)
        best, worst = min(timings), max(timings)
        print(
            f"batch_size={batch_size}: best {best:.2f} s ({len(chunks) / best:.1f} texts/s), "
            f"worst {worst:.2f} s ({len(chunks) / worst:.1f} texts/s) over {args.repeat} runs"
        )


if __name__ == "__main__":
    main()
