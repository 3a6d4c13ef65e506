#!/usr/bin/env python
"""A CTranslate2 Whisper model with int8 weights, for the GPU pack (bench/gpu_pack.py).

    python bench/ct2_int8.py IN_FOLDER OUT_FOLDER

CTranslate2's converter quantizes a model by storing each 2-D weight matrix (linear layers and the
token embedding; not the convolutions, norms or biases) as int8 with one float32 scale per row,
``<name>_scale``, where ``int8 = round(weight * scale)`` and ``scale = 127 / max|row|``. This does
the same to a model already converted (the packaged tiny.en is float16), so it and the CTranslate2
wheel fit in one call to a borrowed GPU machine: about half the bytes. CTranslate2 turns the
weights back into the compute type it is asked for when it loads them (float16 on CUDA).

model.bin (CTranslate2's own format, little-endian): uint32 format version; the spec's name
(uint16 length with its NUL, the bytes); uint32 spec revision; uint32 variable count; each
variable: name, uint8 rank, rank x uint32 dimensions, uint8 type, uint32 byte count, the bytes;
then uint32 alias count and each alias as two names. The other files are copied as they are.
"""

from __future__ import annotations

import argparse
import shutil
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

TYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}
FLOAT32, INT8 = 0, 1


@dataclass
class Variable:
    name: str
    kind: int  # a key of TYPES
    array: np.ndarray


def _name(handle: BinaryIO) -> str:
    (length,) = struct.unpack("<H", handle.read(2))
    return handle.read(length)[:-1].decode()


def _write_name(handle: BinaryIO, name: str) -> None:
    data = name.encode() + b"\0"
    handle.write(struct.pack("<H", len(data)) + data)


def read_model(path: Path) -> tuple[int, str, int, list[Variable], list[tuple[str, str]]]:
    with open(path, "rb") as handle:
        (version,) = struct.unpack("<I", handle.read(4))
        spec = _name(handle)
        revision, count = struct.unpack("<II", handle.read(8))
        variables = []
        for _ in range(count):
            name = _name(handle)
            (rank,) = struct.unpack("<B", handle.read(1))
            shape = struct.unpack(f"<{rank}I", handle.read(4 * rank)) if rank else ()
            kind, size = struct.unpack("<BI", handle.read(5))
            if kind not in TYPES:
                raise SystemExit(f"{path}: variable {name} has a type ({kind}) this converter does not know")
            array = np.frombuffer(handle.read(size), dtype=TYPES[kind])
            variables.append(Variable(name, kind, array.reshape(shape)))  # shape (): a scalar
        (alias_count,) = struct.unpack("<I", handle.read(4))
        aliases = [(_name(handle), _name(handle)) for _ in range(alias_count)]
        if handle.read(1):
            raise SystemExit(f"{path}: bytes after the aliases: not a model.bin this converter reads")
    return version, spec, revision, variables, aliases


def quantized(variables: list[Variable]) -> Iterator[Variable]:
    for variable in variables:
        matrix = variable.array
        if variable.name.endswith("/weight") and matrix.ndim == 2 and variable.kind in (FLOAT32, 4):
            weights = matrix.astype(np.float32)
            largest = np.abs(weights).max(axis=1)
            largest[largest == 0] = 127.0  # a row of zeros: any scale gives zeros
            scale = (127.0 / largest).astype(np.float32)
            values = np.clip(np.rint(weights * scale[:, None]), -127, 127).astype(np.int8)
            yield Variable(variable.name, INT8, values)
            yield Variable(f"{variable.name}_scale", FLOAT32, scale)
        else:
            yield variable


def write_model(
    path: Path,
    version: int,
    spec: str,
    revision: int,
    variables: list[Variable],
    aliases: list[tuple[str, str]],
) -> None:
    with open(path, "wb") as handle:
        handle.write(struct.pack("<I", version))
        _write_name(handle, spec)
        handle.write(struct.pack("<II", revision, len(variables)))
        for variable in variables:
            _write_name(handle, variable.name)
            shape = variable.array.shape
            handle.write(struct.pack("<B", len(shape)) + struct.pack(f"<{len(shape)}I", *shape))
            data = np.ascontiguousarray(variable.array, dtype=TYPES[variable.kind]).tobytes()
            handle.write(struct.pack("<BI", variable.kind, len(data)) + data)
        handle.write(struct.pack("<I", len(aliases)))
        for alias, name in aliases:
            _write_name(handle, alias)
            _write_name(handle, name)


def convert(source: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    version, spec, revision, variables, aliases = read_model(source / "model.bin")
    write_model(target / "model.bin", version, spec, revision, list(quantized(variables)), aliases)
    for other in source.iterdir():
        if other.name != "model.bin" and other.is_file():
            shutil.copy2(other, target / other.name)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    arguments = parser.parse_args()
    convert(arguments.source, arguments.target)
    print(f"{arguments.target / 'model.bin'}: {(arguments.target / 'model.bin').stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
