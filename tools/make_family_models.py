#!/usr/bin/env python3
"""Build the tiny models of other families committed under tests/fixtures/.

passeur must feed any CTranslate2 translation model what the official build feeds it. The
families differ in what surrounds a sentence's tokens, so the tests run one tiny model of
each (random weights, as tools/make_test_model.py makes the OPUS-MT-like one):

- tiny-marian: written by CTranslate2's own Marian converter (`MarianConverter`, what
  `ct2-marian-converter` and the OPUS-MT guide use) from a Marian `.npz` this script makes
  with Marian's variable names and `special:model.yml`. The converter sets
  `add_source_eos: true`: CTranslate2 appends `</s>` itself.
- tiny-nllb: an NLLB-200-like model (pre-norm Transformer, FLORES-200 language tokens such
  as `fra_Latn` in the vocabulary), with the config the Transformers converter writes for
  NLLB (`decoder_start_token: </s>`, no source tokens added by CTranslate2).
- tiny-m2m100: the same with M2M-100's language tokens (`__fr__`).

Usage: python3 tools/make_family_models.py [FIXTURES_DIR]
Needs: pip install ctranslate2==4.8.5 sentencepiece numpy pyyaml   (no torch)
"""

import sys
from pathlib import Path

import numpy as np
import yaml
from ctranslate2.converters.marian import MarianConverter
from ctranslate2.specs import common_spec, model_spec, transformer_spec

sys.path.insert(0, str(Path(__file__).parent))
import make_test_model as tiny  # noqa: E402

SEED = 20261201
# Weaker than the OPUS-MT-like model's, so that outputs run a few tokens before they stop.
EOS_BIAS = 2.5


def marian_npz(path: Path, vocab: list) -> None:
    """A post-norm Marian Transformer in Marian's own `.npz` layout, random weights."""
    rng = np.random.default_rng(SEED)
    d, ffn, n = tiny.D_MODEL, tiny.FFN, len(vocab)

    def rand(*shape):
        return rng.normal(0.0, 0.5, size=shape).astype(np.float32)

    weights = {"Wemb": rand(n, d)}

    def attention(scope):
        for w in "qkvo":
            weights[f"{scope}_W{w}"] = rand(d, d)
            weights[f"{scope}_b{w}"] = np.zeros((1, d), np.float32)
        weights[f"{scope}_Wo_ln_scale"] = np.ones((1, d), np.float32)
        weights[f"{scope}_Wo_ln_bias"] = np.zeros((1, d), np.float32)

    def feed_forward(scope):
        weights[f"{scope}_ffn_W1"] = rand(d, ffn)
        weights[f"{scope}_ffn_b1"] = np.zeros((1, ffn), np.float32)
        weights[f"{scope}_ffn_W2"] = rand(ffn, d)
        weights[f"{scope}_ffn_b2"] = np.zeros((1, d), np.float32)
        weights[f"{scope}_ffn_ffn_ln_scale"] = np.ones((1, d), np.float32)
        weights[f"{scope}_ffn_ffn_ln_bias"] = np.zeros((1, d), np.float32)

    for layer in range(1, tiny.LAYERS + 1):
        attention(f"encoder_l{layer}_self")
        feed_forward(f"encoder_l{layer}")
        attention(f"decoder_l{layer}_self")
        attention(f"decoder_l{layer}_context")
        feed_forward(f"decoder_l{layer}")
    bias = np.zeros((1, n), np.float32)
    bias[0, vocab.index("</s>")] = EOS_BIAS
    weights["decoder_ff_logit_out_b"] = bias
    config = {
        "type": "transformer",
        "enc-depth": tiny.LAYERS,
        "dec-depth": tiny.LAYERS,
        "transformer-heads": tiny.HEADS,
        "transformer-decoder-autoreg": "self-attention",
        "transformer-no-projection": False,
        "transformer-ffn-activation": "swish",
        "transformer-preprocess": "",
        "transformer-postprocess": "dan",
        "transformer-postprocess-emb": "d",
        "transformer-guided-alignment-layer": "last",
    }
    text = yaml.safe_dump(config).encode("utf-8") + b"\0"
    weights["special:model.yml"] = np.frombuffer(text, dtype=np.int8)
    np.savez(path, **weights)


def marian_vocab_yml(path: Path, vocab: list) -> None:
    """Marian's vocabulary format: `"token": index` per line."""
    lines = []
    for i, token in enumerate(vocab):
        quoted = token.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'"{quoted}": {i}\n')
    path.write_text("".join(lines), encoding="utf-8")


def make_marian(out: Path, source_spm: bytes, target_spm: bytes) -> None:
    # Marian's OPUS-MT vocabularies start with </s> and <unk> and end with <pad>.
    vocab = ["</s>", "<unk>"]
    for piece in tiny.pieces(source_spm) + tiny.pieces(target_spm):
        if piece not in vocab and piece not in ("<pad>", "<s>"):
            vocab.append(piece)
    vocab.append("<pad>")
    work = out.parent / (out.name + ".marian")
    work.mkdir(parents=True, exist_ok=True)
    marian_npz(work / "model.npz", vocab)
    marian_vocab_yml(work / "vocab.yml", vocab)
    vocab_path = str(work / "vocab.yml")
    MarianConverter(str(work / "model.npz"), [vocab_path, vocab_path]).convert(
        str(out), force=True
    )
    for f in work.iterdir():
        f.unlink()
    work.rmdir()
    (out / "source.spm").write_bytes(source_spm)
    (out / "target.spm").write_bytes(target_spm)


def make_multilingual(out: Path, spm_bytes: bytes, languages: list) -> None:
    """A pre-norm Transformer with language tokens, as NLLB and M2M-100 are converted."""
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    vocab = list(specials)
    for piece in tiny.pieces(spm_bytes):
        if piece not in vocab:
            vocab.append(piece)
    vocab += languages
    spec = transformer_spec.TransformerSpec.from_config(
        (tiny.LAYERS, tiny.LAYERS), tiny.HEADS, pre_norm=True, activation=common_spec.Activation.RELU
    )
    model_spec.visit_spec(spec, tiny.filler(np.random.default_rng(SEED), len(vocab)))
    bias = np.zeros((len(vocab),), dtype=np.float32)
    bias[vocab.index("</s>")] = EOS_BIAS
    spec.decoder.projection.bias = bias
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    # What the Transformers converter writes for NLLB and M2M-100.
    spec.config.decoder_start_token = "</s>"
    spec.config.add_source_bos = False
    spec.config.add_source_eos = False
    spec.validate()
    out.mkdir(parents=True, exist_ok=True)
    spec.save(str(out))
    # One SentencePiece model for both sides, as these models have.
    (out / "source.spm").write_bytes(spm_bytes)
    (out / "target.spm").write_bytes(spm_bytes)


def main() -> None:
    fixtures = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures")
    source_spm = tiny.train_spm(tiny.FRENCH)
    target_spm = tiny.train_spm(tiny.ENGLISH)
    shared_spm = tiny.train_spm(tiny.FRENCH + tiny.ENGLISH)
    make_marian(fixtures / "tiny-marian", source_spm, target_spm)
    make_multilingual(
        fixtures / "tiny-nllb", shared_spm, ["deu_Latn", "eng_Latn", "fra_Latn", "zho_Hans"]
    )
    make_multilingual(fixtures / "tiny-m2m100", shared_spm, ["__de__", "__en__", "__fr__", "__zh__"])
    for name in ("tiny-marian", "tiny-nllb", "tiny-m2m100"):
        out = fixtures / name
        total = sum(f.stat().st_size for f in out.iterdir())
        print(f"wrote {out} ({total} bytes)")


if __name__ == "__main__":
    main()
