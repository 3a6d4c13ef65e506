"""A tiny, random wav2vec2 CTC SUBSTITUTE for a real alignment model, built offline in about a second.

Real wav2vec2 alignment models (95M-1B parameters) cannot be had in tests: there is no model hub
here, and torchaudio's English default downloads from the PyTorch site. This builds a folder that
loads through the same call the product code makes, ``whisperx.load_align_model(model_name=folder)``
(``Wav2Vec2Processor.from_pretrained`` + ``Wav2Vec2ForCTC.from_pretrained``), so the real loading,
emission, trellis, backtracking and mapping code all run. Its outputs are meaningless: the word
times it yields say nothing about where words are spoken, only that the plumbing works.

Shape of the substitute, mirroring facebook/wav2vec2-base-960h where it matters to alignment:
- vocabulary: ``<pad>`` (the CTC blank, id 0), ``<s>``, ``</s>``, ``<unk>``, ``|`` (word delimiter),
  the upper-case letters A-Z and the apostrophe; WhisperX lower-cases the keys itself;
- the same feature-encoder strides (5, 2, 2, 2, 2, 2, 2): 320 samples a frame, 50 frames a second,
  so a segment has as many frames to place its characters in as with the real model;
- but 16 channels per conv layer, hidden size 32, one transformer layer: about 30k parameters.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

VOCABULARY = ["<pad>", "<s>", "</s>", "<unk>", "|", *string.ascii_uppercase, "'"]


def build_tiny_wav2vec2(folder: Path, seed: int = 0) -> Path:
    """Write a random Wav2Vec2ForCTC + Wav2Vec2Processor to ``folder`` and return it."""
    import torch
    from transformers import (
        Wav2Vec2Config,
        Wav2Vec2CTCTokenizer,
        Wav2Vec2FeatureExtractor,
        Wav2Vec2ForCTC,
        Wav2Vec2Processor,
    )

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vocab_file = folder / "vocab.json"
    vocab_file.write_text(json.dumps({token: index for index, token in enumerate(VOCABULARY)}))
    tokenizer = Wav2Vec2CTCTokenizer(
        str(vocab_file),
        unk_token="<unk>",
        pad_token="<pad>",
        bos_token="<s>",
        eos_token="</s>",
        word_delimiter_token="|",
        do_lower_case=False,
    )
    feature_extractor = Wav2Vec2FeatureExtractor(
        feature_size=1,
        sampling_rate=16000,
        padding_value=0.0,
        do_normalize=True,
        return_attention_mask=False,
    )
    config = Wav2Vec2Config(
        vocab_size=len(VOCABULARY),
        pad_token_id=0,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        conv_dim=(16,) * 7,
        conv_stride=(5, 2, 2, 2, 2, 2, 2),
        conv_kernel=(10, 3, 3, 3, 3, 2, 2),
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=4,
        feat_extract_norm="group",
        do_stable_layer_norm=False,
        mask_time_prob=0.0,  # no SpecAugment: irrelevant at inference, and keeps the config small
        ctc_loss_reduction="mean",
    )
    torch.manual_seed(seed)  # the same substitute on every run, so test outcomes are repeatable
    model = Wav2Vec2ForCTC(config).eval()
    Wav2Vec2Processor(feature_extractor=feature_extractor, tokenizer=tokenizer).save_pretrained(folder)
    model.save_pretrained(folder)
    return folder


if __name__ == "__main__":
    import sys

    print(build_tiny_wav2vec2(Path(sys.argv[1] if len(sys.argv) > 1 else "tiny-wav2vec2")))
