#!/usr/bin/env python3
"""Build the tiny CTranslate2 test model committed under tests/fixtures/tiny-fr-en.

No model can be downloaded in this workplace, yet the tests must run the real CTranslate2
engine, the real SentencePiece tokenizers and the real batching. This script makes a model
with the same architecture as OPUS-MT (a post-norm Marian Transformer with a shared
vocabulary and SentencePiece source/target models), only tiny and with deterministic random
weights. Its translations are gibberish; what it proves is that everything around the engine
works.

Usage: python3 tools/make_test_model.py [OUT_DIR] [--opus-size]
Needs: pip install ctranslate2 sentencepiece numpy   (no torch)
The output is committed, so neither CI nor the tests need Python.

--opus-size makes a model with OPUS-MT's dimensions instead (6+6 layers, width 512, 8 heads,
58,101-token vocabulary; about 300 MB in float32). It is not committed: it is for measuring
speed (thread layouts, batching) where no real model can be downloaded.
"""

import io
import sys
from pathlib import Path

import numpy as np
import sentencepiece as spm
from ctranslate2.specs import common_spec, model_spec, transformer_spec

D_MODEL = 32
FFN = 64
HEADS = 2
LAYERS = 1
OPUS_VOCAB = 58101
MAX_POSITIONS = 512
VOCAB_SIZE = 400
SEED = 20261129
EOS_BIAS = 7.0

FRENCH = """
L'OTAN et le Japon travaillent à l'ouverture d'un bureau de liaison dans ce pays d'Asie de l'Est.
Le secrétaire général de l'Organisation a rencontré le Premier ministre japonais à Tokyo.
La région indo-pacifique est devenue une priorité pour les alliés européens et américains.
Les Nations unies ont demandé un cessez-le-feu immédiat et l'ouverture de couloirs humanitaires.
Le gouvernement a présenté mercredi un projet de loi sur la sécurité et la défense.
M. Dupont, député de la Gironde, a déclaré qu'il voterait contre le texte.
« Nous ne laisserons personne de côté », a affirmé la ministre des Affaires étrangères.
Selon l'Insee, le chômage a reculé de 0,3 point au troisième trimestre.
Les négociations reprendront à Bruxelles la semaine prochaine, après les élections.
Le président de la République s'est entretenu avec son homologue allemand.
La Commission européenne propose de renforcer les contrôles aux frontières extérieures.
Des milliers de manifestants ont défilé samedi dans les rues de Paris et de Lyon.
Le budget de la défense atteindra 2 % du produit intérieur brut en 2025.
L'Union européenne et le Royaume-Uni ont signé un accord sur la pêche.
La Corée du Sud, l'Australie et la Nouvelle-Zélande sont des partenaires importants.
Il a été élu à la tête du parti avec 58 % des voix, un résultat historique.
Les prix de l'énergie ont fortement augmenté depuis le début de la guerre en Ukraine.
Le tribunal a condamné l'ancien maire à deux ans de prison avec sursis.
Cette décision marque une nouvelle étape dans les relations entre les deux pays.
Quelles sont les conséquences pour les entreprises françaises et leurs salariés ?
"""

ENGLISH = """
NATO and Japan are working to open a liaison office in this East Asian country.
The Secretary General of the Organisation met the Japanese Prime Minister in Tokyo.
The Indo-Pacific region has become a priority for European and American allies.
The United Nations called for an immediate ceasefire and the opening of humanitarian corridors.
On Wednesday the government presented a bill on security and defence.
Mr Dupont, a member of parliament for Gironde, said he would vote against the text.
"We will leave no one behind," said the Minister of Foreign Affairs.
According to Insee, unemployment fell by 0.3 points in the third quarter.
Negotiations will resume in Brussels next week, after the elections.
The President of the Republic spoke with his German counterpart.
The European Commission proposes to strengthen controls at external borders.
Thousands of demonstrators marched on Saturday in the streets of Paris and Lyon.
The defence budget will reach 2% of gross domestic product in 2025.
The European Union and the United Kingdom signed an agreement on fishing.
South Korea, Australia and New Zealand are important partners.
He was elected head of the party with 58% of the vote, a historic result.
Energy prices have risen sharply since the start of the war in Ukraine.
The court sentenced the former mayor to two years in prison, suspended.
This decision marks a new stage in relations between the two countries.
What are the consequences for French companies and their employees?
"""

SPECIALS = ["<pad>", "</s>", "<unk>", "<s>"]


def train_spm(text: str) -> spm.SentencePieceProcessor:
    """Train a real unigram SentencePiece model, deterministically (one thread)."""
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([line for line in text.splitlines() if line.strip()]),
        model_writer=model,
        vocab_size=VOCAB_SIZE // 2,
        hard_vocab_limit=False,
        model_type="unigram",
        character_coverage=1.0,
        num_threads=1,
        pad_id=-1,
        bos_id=-1,
        eos_id=1,
        unk_id=0,
        minloglevel=2,
        # No normaliser table: it would make each .spm file 240 kB instead of a few kB.
        normalization_rule_name="identity",
    )
    return model.getvalue()


def pieces(model_bytes: bytes) -> list:
    sp = spm.SentencePieceProcessor(model_proto=model_bytes)
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def shape_of(name: str, vocab: int) -> tuple:
    """The shape of each weight, from its place in the Transformer spec."""
    if name.endswith("embeddings/weight") or name.endswith("embeddings_0/weight"):
        return (vocab, D_MODEL)
    if name.endswith("position_encodings/encodings"):
        return (MAX_POSITIONS, D_MODEL)
    if name.endswith("projection/weight"):
        return (vocab, D_MODEL)
    if name.endswith("projection/bias"):
        return (vocab,)
    if name.endswith("gamma") or name.endswith("beta"):
        return (D_MODEL,)
    if "ffn/linear_0" in name:
        return (FFN, D_MODEL) if name.endswith("weight") else (FFN,)
    if "ffn/linear_1" in name:
        return (D_MODEL, FFN) if name.endswith("weight") else (D_MODEL,)
    if "self_attention/linear_0" in name:
        return (3 * D_MODEL, D_MODEL) if name.endswith("weight") else (3 * D_MODEL,)
    if "/attention/linear_1" in name:
        return (2 * D_MODEL, D_MODEL) if name.endswith("weight") else (2 * D_MODEL,)
    if "attention/linear_" in name:
        return (D_MODEL, D_MODEL) if name.endswith("weight") else (D_MODEL,)
    raise ValueError(f"no shape known for {name}")


def filler(rng, vocab_size: int):
    """A visit_spec callback filling every unset weight: layer-norm gains 1, biases 0,
    other weights drawn from N(0, 0.5), in the spec's visiting order."""

    def fill(layer, name, value):
        if value is not None:
            return
        shape = shape_of(name, vocab_size)
        attr = name.split("/")[-1]
        if attr == "gamma":
            array = np.ones(shape, dtype=np.float32)
        elif attr in ("beta", "bias"):
            array = np.zeros(shape, dtype=np.float32)
        else:
            array = rng.normal(0.0, 0.5, size=shape).astype(np.float32)
        setattr(layer, attr, array)

    return fill


def main() -> None:
    global D_MODEL, FFN, HEADS, LAYERS
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    opus_size = "--opus-size" in sys.argv
    if opus_size:
        D_MODEL, FFN, HEADS, LAYERS = 512, 2048, 8, 6
    out = Path(args[0] if args else "tests/fixtures/tiny-fr-en")
    out.mkdir(parents=True, exist_ok=True)

    source_spm = train_spm(FRENCH)
    target_spm = train_spm(ENGLISH)
    seen = set(SPECIALS)
    vocab = list(SPECIALS)
    for piece in pieces(source_spm) + pieces(target_spm):
        if piece not in seen:
            seen.add(piece)
            vocab.append(piece)

    if opus_size:
        vocab += [f"<dummy{i}>" for i in range(OPUS_VOCAB - len(vocab))]
    spec = transformer_spec.TransformerSpec.from_config(
        (LAYERS, LAYERS), HEADS, pre_norm=False, activation=common_spec.Activation.SWISH
    )
    rng = np.random.default_rng(SEED)
    eos = vocab.index("</s>")
    model_spec.visit_spec(spec, filler(rng, len(vocab)))
    # Make the end token likely enough that most outputs stop on their own, as a real
    # model's do, rather than always running to the length limit.
    bias = np.zeros((len(vocab),), dtype=np.float32)
    bias[eos] = EOS_BIAS
    spec.decoder.projection.bias = bias
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    # As in OPUS-MT converted from Hugging Face: the tokenizer appends </s> to the source and
    # decoding starts from <pad>.
    spec.config.decoder_start_token = "<pad>"
    spec.config.add_source_eos = False
    spec.validate()
    spec.save(str(out))
    # OPUS-MT in CTranslate2 format ships its vocabulary as text, one token a line; the
    # fixture does the same so that it has the default model's layout.
    (out / "shared_vocabulary.json").unlink()
    (out / "shared_vocabulary.txt").write_text("".join(t + "\n" for t in vocab), encoding="utf-8")
    (out / "source.spm").write_bytes(source_spm)
    (out / "target.spm").write_bytes(target_spm)
    total = sum(f.stat().st_size for f in out.iterdir())
    print(f"wrote {out} ({len(vocab)} tokens, {total} bytes)")


if __name__ == "__main__":
    main()
