#!/usr/bin/env python3
"""What the official CTranslate2 build (the PyPI wheel) makes of sentences, fed as
CTranslate2's guides feed each model family: the reference passeur's model tests compare
with (tests/integration/models.rs).

    python tools/wheel_reference.py MODEL_DIR < request.json > answer.json

The request names the family's convention explicitly, so that the reference does not share
passeur's own logic:

    {"sentences": ["..."], "source_prefix": ["fra_Latn"], "target_prefix": ["eng_Latn"],
     "append_eos": true, "compute_type": "float32"}

- the tokens: `source_prefix` + the model's source.spm pieces + `</s>` when `append_eos`
  (OPUS-MT converted by the Transformers converter, NLLB, M2M-100; not a Marian-converted
  model, whose `add_source_eos` makes CTranslate2 append it);
- greedy search, one sentence per call, `max_decoding_length` by passeur's rule (twice the
  top of the input's length bucket plus 10, at most 512: a function of the sentence alone);
- the output: the best hypothesis without `target_prefix`, decoded with target.spm.

The answer is one object per sentence: {"tokens": [...], "output": [...], "target": "..."}.
"""

import json
import sys
from pathlib import Path

import ctranslate2
import sentencepiece as spm


def length_bucket(tokens: int) -> int:
    """passeur's src/translate/batch.rs `length_bucket`."""
    step = max(8, (1 << max(tokens - 1, 0).bit_length()) // 8)
    return max(1, -(-tokens // step)) * step


def budget(tokens: int, cap: int = 512) -> int:
    return min(length_bucket(tokens) * 2 + 10, cap)


def main() -> None:
    model = Path(sys.argv[1])
    request = json.load(sys.stdin)
    source = spm.SentencePieceProcessor(model_file=str(model / "source.spm"))
    target = spm.SentencePieceProcessor(model_file=str(model / "target.spm"))
    translator = ctranslate2.Translator(
        str(model), device="cpu", compute_type=request.get("compute_type", "float32")
    )
    source_prefix = request.get("source_prefix", [])
    target_prefix = request.get("target_prefix", [])
    answers = []
    for sentence in request["sentences"]:
        tokens = source_prefix + source.encode(sentence, out_type=str)
        if request.get("append_eos", True):
            tokens.append("</s>")
        result = translator.translate_batch(
            [tokens],
            target_prefix=[target_prefix] if target_prefix else None,
            beam_size=1,
            max_input_length=512,
            max_decoding_length=budget(min(len(tokens), 512)),
        )[0]
        output = result.hypotheses[0][len(target_prefix):]
        answers.append(
            {"tokens": tokens, "output": output, "target": target.decode_pieces(output)}
        )
    json.dump(answers, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
