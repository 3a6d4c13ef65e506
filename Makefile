# reelsub: `make demo` and `make test` are all a new machine needs (Debian/Ubuntu; apt-get for
# system packages, a local .venv for Python). Nothing here needs conda or a model hub.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export PYTHONUNBUFFERED := 1
export TOKENIZERS_PARALLELISM := false
SNAKEMAKE := snakemake --configfile config/demo.yaml
# mlx[cpu] on Linux uses a slow reference BLAS unless OpenBLAS is preloaded (about 6x: jfk.flac
# through mlx tiny.en took 33 s without, 5.5 s with). Apple Silicon runs mlx on Metal instead.
OPENBLAS := /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0

# What the workflow needs (Noto: a font for every script's ASS track and burn-in), and what only the
# tests need (SLURM, a browser for the review page, Tesseract's Hindi model to read a burned-in cue).
SYSTEM_PACKAGES := ffmpeg espeak-ng graphviz mkvtoolnix fonts-noto-core fonts-lohit-deva libopenblas0-pthread
TEST_SYSTEM_PACKAGES := slurm-wlm munge chromium chromium-driver pocketsphinx-testdata tesseract-ocr tesseract-ocr-hin
# -- bench: real recorded speech for the accuracy corpus (LibriVox and cards clips, bench/speech.py)
BENCH_SYSTEM_PACKAGES := pocketsphinx-testdata
# The library (scripts/), the test and demo media (tests/testkit) and the bench's own modules, importable
# by the demo and the bench without any sys.path edit of their own (pytest reads pyproject.toml instead).
WITH_PATHS := PYTHONPATH=$(CURDIR)/scripts:$(CURDIR)/tests:$(CURDIR)/bench
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: report demo test test-fast venv system-packages test-system-packages bench-system-packages dag lint bench \
	bench-quick bench-gpu bench-gpu-pack hardware clean

demo: venv system-packages films/demo.mp4
	HF_HUB_OFFLINE=1 $(SNAKEMAKE) -j4 jobs/demo/out.mkv
	@echo "== jobs/demo/out.mkv =="
	@ffprobe -v error -show_entries stream=index,codec_type,codec_name:stream_tags=language,title:stream_disposition=default \
	  -of compact=p=0:nk=0 jobs/demo/out.mkv

test: venv system-packages test-system-packages
	HF_HUB_OFFLINE=1 $(if $(wildcard $(OPENBLAS)),LD_PRELOAD=$(OPENBLAS)) $(VENV)/bin/python -m pytest $(PYTEST_ARGS)

# The unit tier: no end-to-end films, no SLURM cluster, no PyPI (tests/test_env_resolution.py), no
# browser (chromium comes with make test's system packages), no test of minutes on its own (slow):
# what a fresh clone runs after make demo.
test-fast: venv system-packages
	HF_HUB_OFFLINE=1 $(if $(wildcard $(OPENBLAS)),LD_PRELOAD=$(OPENBLAS)) $(VENV)/bin/python -m pytest \
	  -m "not e2e and not slurm and not network and not browser and not slow" $(PYTEST_ARGS)

venv: $(STAMP)

# pip 26.3 is on PyPI. The conda envs leave pip unpinned instead: conda-forge's newest is not
# always PyPI's, and pip's own version does not change what a pinned requirement installs.
$(STAMP): requirements.txt requirements-test.txt requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q pip==26.3
	$(VENV)/bin/python -m pip install -q -r requirements.txt -r requirements-test.txt -c requirements.lock
	touch $@

# apt-get only for what is missing, so a provisioned machine runs no package manager at all.
define install_missing
	missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

system-packages:
	@$(call install_missing,$(SYSTEM_PACKAGES))

test-system-packages:
	@$(call install_missing,$(TEST_SYSTEM_PACKAGES))

bench-system-packages:
	@$(call install_missing,$(BENCH_SYSTEM_PACKAGES))

films/demo.mp4: tests/testkit/demo_film.py tests/testkit/synth.py media/jfk.flac | venv system-packages
	$(WITH_PATHS) $(VENV)/bin/python -m testkit.demo_film $@

# --dag alone prints only the graph on stdout; with -n, "Building DAG of jobs..." comes first and
# dot writes an empty SVG. The README shows the same command (tests/test_readme_commands.py).
dag: venv
	$(SNAKEMAKE) --dag | dot -Tsvg > dag.svg
	$(SNAKEMAKE) --rulegraph | dot -Tsvg > rulegraph.svg
	@echo "wrote dag.svg and rulegraph.svg"

# The HTML report of the demo film: QC tables, cue plots, stage benchmarks, rule graph. Snakemake
# writes its report in place: written aside, then moved in durably (reelsub.contracts.base.move_into_place),
# so a killed run never leaves half a report.html.
report: demo
	HF_HUB_OFFLINE=1 $(SNAKEMAKE) -j4 reports
	$(SNAKEMAKE) --report .report.part.html reports
	PYTHONPATH=scripts $(VENV)/bin/python -c \
		'from reelsub.contracts.base import move_into_place; move_into_place(".report.part.html", "report.html")'
	@echo "wrote report.html"

# Every check runs; the target fails at the end if any did (pyproject.toml configures the tools).
lint: venv
	@failed=""; \
	$(VENV)/bin/ruff check . || failed="$$failed ruff-check"; \
	$(VENV)/bin/mypy || failed="$$failed mypy"; \
	$(SNAKEMAKE) --lint || failed="$$failed snakemake-lint"; \
	snakemake --directory .test --lint || failed="$$failed snakemake-lint-.test"; \
	$(VENV)/bin/ruff format --check --output-format concise . || failed="$$failed ruff-format"; \
	$(VENV)/bin/snakefmt --check Snakefile rules || failed="$$failed snakefmt"; \
	if [ -n "$$failed" ]; then echo "make lint failed:$$failed"; exit 1; fi; echo "make lint: all clean"

hardware: venv
	$(WITH_PATHS) $(VENV)/bin/python -m reelsub.workflow.hardware

bench: venv system-packages bench-system-packages
	HF_HUB_OFFLINE=1 $(WITH_PATHS) $(VENV)/bin/python bench/run.py

bench-quick: venv system-packages bench-system-packages
	HF_HUB_OFFLINE=1 $(WITH_PATHS) $(VENV)/bin/python bench/run.py --quick

# The ASR and translation rows on an NVIDIA GPU (exits 2, measuring nothing, where there is no CUDA).
bench-gpu: venv bench-system-packages
	HF_HUB_OFFLINE=1 $(WITH_PATHS) $(VENV)/bin/python bench/gpu.py

# What a borrowed GPU machine lacks, in one folder under 64 MiB (bench/gpu_pack.py); there, run
# python3 gpu-pack/project/bench/gpu_run.py (bench/README.md)
bench-gpu-pack: venv bench-system-packages
	HF_HUB_OFFLINE=1 $(WITH_PATHS) $(VENV)/bin/python bench/gpu_pack.py

# jobs/ goes, but not what people edited there: scripts/clean.py moves every edited subtitle file to
# edits-backup/<time>/ first and names each (README: Review and fix the subtitles).
clean:
	$(PYTHON) scripts/clean.py jobs --into edits-backup
	rm -rf .snakemake dag.svg rulegraph.svg
