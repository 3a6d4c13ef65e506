"""What an ASR engine is asked to do: one settings object, built in one place from config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from reelsub.asr.features import batch_size_for, features_for
from reelsub.glossary import prompt_words
from reelsub.workflow.hardware import compute_type_for, resolve_device
from reelsub.workflow.settings import schema_defaults, settings_from

BACKENDS = ("whisperx", "mlx")
_CONFIG = schema_defaults("asr")  # every default below that config can set is the schema's


@dataclass
class AsrSettings:
    """Everything an engine needs to know, from config and the detected hardware."""

    model: str = _CONFIG["model"]
    device: str = "cpu"  # cuda | cpu (mlx picks its own device); decided on the node that runs the job
    compute_type: str = "int8"  # CTranslate2's: float16 on CUDA, int8 on CPU (hardware.compute_type_for)
    batch_size: int = 8  # resolved for the device (reelsub.asr.features.batch_size_for)
    batch_size_reason: str = "default"  # why this batch size: config, or what auto saw
    features: str = "numpy"  # numpy | torch: resolved for the device (reelsub.asr.features.features_for)
    beam_size: int = _CONFIG["beam_size"]
    cpu_threads: int = 1  # the rule's threads:, as Snakemake granted them
    # the memory the rule declares (resources: mem_mb): the speech search keeps within it
    mem_mb: int = _CONFIG["mem_mb"]
    language: str | None = None  # None: detect
    task: str = "transcribe"  # or "translate": Whisper's own X -> English
    vad_filter: bool = _CONFIG["vad_filter"]
    # auto | packed | windows: how heard speech fills Whisper's windows (reelsub.asr.packing.layout_for)
    layout: str = _CONFIG["layout"]
    word_timestamps: bool = True
    # hallucination guards, whisper's own thresholds
    no_speech_threshold: float = _CONFIG["no_speech_threshold"]
    log_prob_threshold: float = _CONFIG["log_prob_threshold"]
    compression_ratio_threshold: float = _CONFIG["compression_ratio_threshold"]
    condition_on_previous_text: bool = _CONFIG["condition_on_previous_text"]
    # other languages a film's lines may switch to (Hindi films carry English lines): each sentence
    # is checked, and one spoken in one of these is decoded in it
    other_languages: list[str] = field(default_factory=lambda: list(_CONFIG["other_languages"]))
    # how to get the script a language's audience reads (reelsub.scripts)
    script: str = _CONFIG["script"]
    # a heard silence this long ends a sentence Whisper left unpunctuated (config align.sentence_pause,
    # the one rule asr, align, translate, the cue builder and QC cut and judge sentences by; it is
    # recorded in provenance, where the subtitle stage reads it)
    sentence_pause: float = schema_defaults("align")["sentence_pause"]
    # a per-film glossary of names and places, fed to the decoder as hotwords/initial prompt: every
    # spelling of every term (reelsub.glossary.prompt_words; "Jai|जय" gives both)
    glossary: list[str] = field(default_factory=list)

    @property
    def initial_prompt(self) -> str | None:
        return ", ".join(self.glossary) + "." if self.glossary else None

    def public(self) -> dict[str, Any]:
        """Settings as recorded in provenance."""
        return asdict(self)

    @classmethod
    def from_config(
        cls,
        section: Mapping[str, Any] | None,
        *,
        threads: int,
        language: str | None = None,
        glossary: list[str] | None = None,
        **runtime: Any,
    ) -> AsrSettings:
        """The settings of the asr config section on this node: the device resolved here (a
        cluster's login node may have no GPU), the compute type that follows from it unless
        config names one, ``threads`` as Snakemake granted them, and ``language`` "auto" as None.
        scripts/asr.py and the Whisper translate engine both build their settings here."""
        section = dict(section or {})
        device = resolve_device(section.get("device", _CONFIG["device"]), "asr.device")
        compute_type = compute_type_for(device, section.get("compute_type", _CONFIG["compute_type"]))
        model = section.get("model", _CONFIG["model"])
        batch_size, batch_size_reason = batch_size_for(
            section.pop("batch_size", _CONFIG["batch_size"]), device, model
        )
        features = features_for(section.pop("features", _CONFIG["features"]), device)
        return settings_from(
            cls,
            "asr",
            section,
            device=device,
            compute_type=compute_type,
            batch_size=batch_size,
            batch_size_reason=batch_size_reason,
            features=features,
            cpu_threads=threads,
            language=None if language in (None, "auto") else language,
            glossary=prompt_words(glossary or []),
            **runtime,
        )
