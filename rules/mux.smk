# The published subtitles (jobs/<film>/subtitles/<lang>.srt, as people left them) go into the film.
rule mux:
    input:
        unpack(mux_inputs),
    output:
        mkv="jobs/{film}/out.mkv",
    log:
        "jobs/{film}/logs/mux.log",
    benchmark:
        "jobs/{film}/benchmarks/mux.tsv"
    conda:
        "../envs/common.yaml"
    threads: 1
    resources:
        mem_mb=512,
        runtime=30,
    params:
        published=published_folder,
        edits=published_hashes,
        rules=config["subtitle"],
        burn_in=False,
        font=config["mux"]["burn_in_font"],
        codec=config["mux"]["subtitle_codec"],
        fonts_dir=config["mux"]["fonts_dir"],
    script:
        "../scripts/mux.py"


# Subtitles drawn into the picture: a full re-encode (about 250x the time of a stream copy), so
# only on request: snakemake jobs/<film>/burned.mkv
use rule mux as burn_in with:
    output:
        mkv="jobs/{film}/burned.mkv",
    log:
        "jobs/{film}/logs/burn_in.log",
    benchmark:
        "jobs/{film}/benchmarks/burn_in.tsv"
    resources:
        mem_mb=2000,
        runtime=240,
    params:
        published=published_folder,
        rules=config["subtitle"],
        burn_in=True,
        font=config["mux"]["burn_in_font"],
        codec=config["mux"]["subtitle_codec"],
        fonts_dir=config["mux"]["fonts_dir"],
