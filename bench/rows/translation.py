"""Translation rows: bench/translate_bench.py in its own process (torch stays out of the runner)."""

from __future__ import annotations

import json

from lib import (
    BENCH,
    PYTHON,
    Context,
    log,
    run,
)


def measure(bench: Context) -> None:
    """bench/translate_bench.py (another helper's), in its own process: torch stays out of this one."""
    module_path = BENCH / "translate_bench.py"
    if not module_path.exists():
        bench.notes.append("bench/translate_bench.py does not exist yet: no translation rows.")
        return
    sentences, repeats = (32, 1) if bench.plan.mode == "quick" else (64, 3)
    log(f"translation: bench/translate_bench.py --sentences {sentences} --repeats {repeats}")
    seconds, output = run(
        [PYTHON, module_path, "--json", "--sentences", str(sentences), "--repeats", str(repeats)]
    )
    result = json.loads(output.strip().splitlines()[-1])
    bench.raw["translation"] = result
    best = f"best of {result['repeats']}" if result["repeats"] > 1 else "one run"
    for row in result["rows"]:
        bench.quality.append(
            (
                f"translation, batch {row['batch_size']}: {result['model']}, {result['torch_threads']} torch threads",
                f"{row['sentences_per_s']:.1f} sentences/s ({row['sentences']} sentences in {row['seconds']:.2f} s, "
                f"{best})",
                "-",
                "-",
            )
        )
    bench.quality.append(("translation, batch 32 vs batch 1", f"{result['speedup_32_vs_1']:.1f}x", "-", "-"))
    film = result["film"]
    bench.quality.append(
        (
            f"translation of a synthetic {film['minutes']:.0f}-min Hindi transcript ({film['segments_in']} segments "
            f"-> {film['sentences']} sentences), batch {film['batch_size']}",
            f"{film['seconds']:.1f} s",
            "-",
            "-",
        )
    )
    bench.notes.append(
        "Translation rows come from bench/translate_bench.py with a tiny random IndicTrans2 substitute "
        "(2 layers, d_model 32, 15-token answers): they measure reelsub's translation pipeline and the "
        "gain from batching, not IndicTrans2's compute; the real 200M model is far heavier per token. "
        f"translate_bench keeps the fastest of its repeats; the whole step took {seconds:.0f} s."
    )
