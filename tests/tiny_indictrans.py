"""A tiny, random seq2seq SUBSTITUTE for IndicTrans2, built offline in seconds.

The real IndicTrans2 checkpoints (200M-1B parameters) cannot be had in tests: there is no model hub
here. This builds a folder that loads through the same calls the product code makes,
``AutoTokenizer.from_pretrained(folder)`` and ``AutoModelForSeq2SeqLM.from_pretrained(folder)``,
so the whole plumbing (IndicProcessor tagging and placeholders, tokenising, batched beam search,
decoding in target mode, post-processing) runs for real. Its translations are meaningless.

Recipe (docs/indictrans2.md): a SentencePiece unigram model trained in memory on a few
hundred mixed-script lines, with IndicTrans2's language tags (``hin_Deva``, ``eng_Latn``, ...) and
placeholder pieces as user-defined symbols so that each is one token, as in the real vocabulary;
then a MarianTokenizer (separate source/target SentencePiece models and ``as_target_tokenizer``,
like IndicTrans2's own tokenizer) and a 2-layer MarianMTModel with d_model=32.

Two behaviours, chosen by ``answer``:
- ``"random"``: random weights, and every answer exactly ``ANSWER_TOKENS`` tokens long (a random model
  otherwise rambles to max_length, 256 tokens, which no subtitle sentence needs); 15 tokens is a
  typical subtitle sentence, so the benchmark's generate() work is of realistic size.
- ``"first-placeholder"``: the first generated token is forced to ``<ID1>`` and then the sentence
  ends, so the model "translates" every sentence into its first placeholder. IndicProcessor swaps
  URLs, dates and numbers for placeholders before the model and restores them after it, so with
  this model the output of a sentence is exactly the URL or date it contained: a deterministic
  probe that preprocess/postprocess are paired per batch and that batch order is restored.

``legacy_cache=True`` adds what IndicTrans2's own modelling code does that Marian's does not: it is
loaded through ``trust_remote_code`` (a modelling file in the folder, named by ``auto_map``) and
it reads the key/value cache as legacy tuples, ``past_key_values[0][0].shape[2]`` (IndicTrans2's
modeling_indictrans.py, decoder forward). The transformers this project pins hands generate()'s
models an EncoderDecoderCache instead, and that read fails as it does for IndicTrans2 (its issue
#128), so the product's fallback is exercised for real.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

# The FLORES tags IndicTrans2 puts in front of every sentence (see languages.py; kept literal here so
# that a change to the language table cannot silently change the test model).
LANGUAGE_TAGS = (
    "eng_Latn asm_Beng ben_Beng brx_Deva doi_Deva gom_Deva guj_Gujr hin_Deva kan_Knda kas_Arab kas_Deva "
    "mai_Deva mal_Mlym mni_Beng mni_Mtei mar_Deva npi_Deva ory_Orya pan_Guru san_Deva sat_Olck snd_Arab "
    "snd_Deva tam_Taml tel_Telu urd_Arab"
).split()
# IndicProcessor writes placeholders as "< ID1 >"; the pieces below make "ID1" one token and give the
# model a one-token "<ID1>" to answer with.
PLACEHOLDER_PIECES = tuple(f"ID{n}" for n in range(1, 10)) + tuple(f"<ID{n}>" for n in range(1, 10))

ANSWERS = ("random", "first-placeholder")
ANSWER_TOKENS = 15

_ENGLISH = (
    "the film starts at night and the city is quiet . she said she would come back tomorrow . "
    "how are you ? where is the station ! we will meet at the river after the rain . "
    "my name is ravi and this is my friend . please visit our website for more news . "
    "the train was late again today . i never saw him after that summer ."
).split(" . ")
_HINDI = (
    "मेरा नाम रवि है । आप कैसे हैं ? हम बारिश के बाद नदी पर मिलेंगे । वह कल वापस आएगी । "
    "फ़िल्म रात में शुरू होती है और शहर शांत है । कृपया हमारी वेबसाइट देखें । ट्रेन आज फिर देर से आई ।"
).split(" । ")
_OTHER_SCRIPTS = (
    "வணக்கம் நீங்கள் எப்படி இருக்கிறீர்கள்",  # Tamil
    "আমার নাম রবি",  # Bengali
    "ਤੁਸੀਂ ਕਿਵੇਂ ਹੋ",  # Gurmukhi
    "તમે કેમ છો",  # Gujarati
    "ನೀವು ಹೇಗಿದ್ದೀರಿ",  # Kannada
    "നിങ്ങൾ എങ്ങനെയുണ്ട്",  # Malayalam
    "మీరు ఎలా ఉన్నారు",  # Telugu
    "ଆପଣ କେମିତି ଅଛନ୍ତି",  # Odia
    "آپ کیسے ہیں",  # Urdu (Arabic script)
    "ᱟᱢ ᱪᱮᱫ ᱞᱮᱠᱟ ᱢᱮᱱᱟᱢ",  # Santali (Ol Chiki)
    "ꯅꯪ ꯀꯔꯝ ꯂꯩꯔꯤ",  # Manipuri (Meetei Mayek)
    "< > ( ) : ; - ' \" / % @ # & = +",  # what IndicProcessor leaves around placeholders
)


def _training_lines(seed: int) -> list[str]:
    """A few hundred shuffled lines in every script the tags name, so every script has pieces."""
    rng = random.Random(seed)
    pool = [*_ENGLISH, *_HINDI, *_OTHER_SCRIPTS]
    lines = []
    for _ in range(400):
        words = " ".join(rng.sample(pool, 2)).split()
        rng.shuffle(words)
        lines.append(" ".join(words + [rng.choice(".?!,।")]) + f" {rng.randint(0, 99)}")
    return lines


def _train_sentencepiece(seed: int) -> bytes:
    import sentencepiece as spm

    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_training_lines(seed)),
        model_writer=buffer,
        vocab_size=300,
        # without this the trainer refuses: the corpus is too small for 300 pieces
        hard_vocab_limit=False,
        model_type="unigram",
        character_coverage=1.0,
        user_defined_symbols=[*LANGUAGE_TAGS, *PLACEHOLDER_PIECES],
        # Marian's conventions: <unk>, </s> and <pad>; no <s>
        unk_id=0,
        eos_id=1,
        pad_id=2,
        bos_id=-1,
        minloglevel=2,
    )
    return buffer.getvalue()


# The remote-code module of the legacy_cache variant (written into the model folder).
LEGACY_CACHE_MODELING = '''"""Test-only: Marian that reads its cache as IndicTrans2's remote code does."""

from transformers import MarianMTModel


class LegacyCacheMarianMTModel(MarianMTModel):
    def forward(self, *args, past_key_values=None, **kwargs):
        if past_key_values is not None:
            # IndicTrans2's decoder: past_key_values_length = past_key_values[0][0].shape[2]
            past_key_values[0][0].shape[2]
        return super().forward(*args, past_key_values=past_key_values, **kwargs)
'''


def build_tiny_indictrans(
    folder: Path, answer: str = "random", seed: int = 0, legacy_cache: bool = False
) -> Path:
    """Write the substitute model to ``folder`` (about 0.6 MB, a few seconds) and return the folder."""
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    if answer not in ANSWERS:
        raise ValueError(f"answer must be one of {ANSWERS}, not {answer!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)

    model_bytes = _train_sentencepiece(seed)
    # IndicTrans2 has distinct source and target vocabularies; one shared model is enough here,
    # but it is written twice so MarianTokenizer really switches models in as_target_tokenizer().
    for name in ("source.spm", "target.spm"):
        (folder / name).write_bytes(model_bytes)
    processor = spm.SentencePieceProcessor(model_proto=model_bytes)
    vocab = {processor.id_to_piece(i): i for i in range(processor.get_piece_size())}
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")

    tokenizer = MarianTokenizer(
        source_spm=str(folder / "source.spm"),
        target_spm=str(folder / "target.spm"),
        vocab=str(folder / "vocab.json"),
        model_max_length=512,
    )
    tokenizer.save_pretrained(folder)

    torch.manual_seed(seed)
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=512,  # > translate.max_length (256): positions never run out
        pad_token_id=vocab["<pad>"],
        eos_token_id=vocab["</s>"],
        decoder_start_token_id=vocab["<pad>"],  # Marian's convention
        share_encoder_decoder_embeddings=True,
        # Weights this large make the answer depend on the input (at the default 0.02 every input
        # gets the same answer, which would hide a batch-order bug).
        init_std=0.3,
    )
    model = MarianMTModel(config).eval()
    with torch.no_grad():
        bias = model.final_logits_bias
        # A real model never answers with padding, unknown pieces or language tags.
        for piece in ("<pad>", "<unk>", *LANGUAGE_TAGS):
            bias[0, vocab[piece]] = -1e4
        if answer == "random":
            for piece, index in vocab.items():
                if piece.startswith("<ID"):  # only the probe model may answer with a placeholder
                    bias[0, index] = -1e4
                elif piece.startswith("\u2581") and len(piece) > 1:
                    bias[0, index] += 3.0  # favour word-initial pieces: answers come out as words
        # End-of-sentence always wins once it is allowed: right after the forced "<ID1>", or, for the
        # random model, once min_length (counted with the decoder's start token) has been reached.
        bias[0, vocab["</s>"]] = 1e4
        if answer == "random":
            model.generation_config.min_length = ANSWER_TOKENS + 1
        else:
            model.generation_config.forced_bos_token_id = vocab["<ID1>"]
    model.save_pretrained(folder)
    if legacy_cache:
        (folder / "modeling_legacy_cache.py").write_text(LEGACY_CACHE_MODELING, encoding="utf-8")
        config_file = folder / "config.json"
        saved = json.loads(config_file.read_text(encoding="utf-8"))
        saved["auto_map"] = {"AutoModelForSeq2SeqLM": "modeling_legacy_cache.LegacyCacheMarianMTModel"}
        config_file.write_text(json.dumps(saved, indent=2), encoding="utf-8")
    return folder


if __name__ == "__main__":  # python tests/tiny_indictrans.py OUT_FOLDER [random|first-placeholder]
    import sys

    print(build_tiny_indictrans(Path(sys.argv[1]), *sys.argv[2:3]))
