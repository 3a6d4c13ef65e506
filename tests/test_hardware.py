"""Backend selection from hardware facts, and both overrides."""

import pytest

from reelsub.workflow.hardware import (
    BackendError,
    HardwareFacts,
    check_backend_fits,
    choose_backend,
    compute_type_for,
    detect,
    resolve_device,
)

MAC_M2 = HardwareFacts(os="Darwin", arch="arm64", cuda=False, mlx_importable=True)
MAC_M2_NO_MLX = HardwareFacts(os="Darwin", arch="arm64", cuda=False, mlx_importable=False)
INTEL_MAC = HardwareFacts(os="Darwin", arch="x86_64", cuda=False, mlx_importable=False)
LINUX_GPU = HardwareFacts(os="Linux", arch="x86_64", cuda=True, mlx_importable=False)
LINUX_MLX_CPU = HardwareFacts(os="Linux", arch="x86_64", cuda=False, mlx_importable=True)


@pytest.mark.parametrize(
    ("facts", "conda", "expected"),
    [
        (MAC_M2, False, "mlx"),
        (MAC_M2_NO_MLX, False, "whisperx"),
        (MAC_M2_NO_MLX, True, "mlx"),  # --use-conda will install mlx into envs/mlx.yaml
        (INTEL_MAC, True, "whisperx"),
        (LINUX_GPU, False, "whisperx"),
        (LINUX_MLX_CPU, False, "whisperx"),  # mlx[cpu] importable is not Apple Silicon
    ],
)
def test_detected_backend(facts, conda, expected):
    assert choose_backend(facts, "auto", None, conda_provides_mlx=conda) == expected


def test_environment_variable_overrides_detection():
    assert choose_backend(LINUX_GPU, "auto", "mlx") == "mlx"
    assert choose_backend(MAC_M2, "auto", "whisperx") == "whisperx"


def test_config_overrides_environment_variable():
    assert choose_backend(MAC_M2, "whisperx", "mlx") == "whisperx"
    assert choose_backend(LINUX_GPU, "mlx", "whisperx") == "mlx"


def test_bad_override_names_its_source():
    with pytest.raises(BackendError, match="WHISPER_BACKEND='cuda'"):
        choose_backend(LINUX_GPU, "auto", "cuda")


def test_mlx_off_apple_silicon_needs_force():
    with pytest.raises(BackendError, match="needs Apple Silicon"):
        check_backend_fits("mlx", LINUX_GPU, forced=False)
    check_backend_fits("mlx", LINUX_GPU, forced=True)
    check_backend_fits("mlx", MAC_M2, forced=False)
    check_backend_fits("whisperx", LINUX_GPU, forced=False)


def test_this_machine_is_detected_as_cpu_linux():
    facts = detect()
    assert facts.os == "Linux" and not facts.apple_silicon
    assert resolve_device("auto", "asr.device") == "cpu" or facts.cuda
    assert resolve_device("cuda", "asr.device") == "cuda"
    assert compute_type_for("cuda") == "float16" and compute_type_for("cpu") == "int8"
    assert compute_type_for("cpu", "float32") == "float32"


@pytest.mark.parametrize("key", ["asr.device", "align.device", "translate.device"])
def test_a_bad_device_names_the_key_that_asked_for_it(key: str) -> None:
    with pytest.raises(BackendError, match=rf"^{key}='gpu': expected auto, cuda, cuda:N or cpu"):
        resolve_device("gpu", key)
