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

# What the workflow needs, and what only the tests need (SLURM, fonts for burn-in).
SYSTEM_PACKAGES := ffmpeg espeak-ng graphviz mkvtoolnix fonts-lohit-deva libopenblas0-pthread
TEST_SYSTEM_PACKAGES := slurm-wlm munge
# -- bench: real recorded speech for the accuracy corpus (LibriVox and cards clips, bench/speech.py)
BENCH_SYSTEM_PACKAGES := pocketsphinx-testdata
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: report demo test venv system-packages test-system-packages bench-system-packages dag lint bench bench-quick \
	bench-gpu hardware clean

demo: venv system-packages films/demo.mp4
	HF_HUB_OFFLINE=1 $(SNAKEMAKE) -j4 jobs/demo/out.mkv
	@echo "== jobs/demo/out.mkv =="
	@ffprobe -v error -show_entries stream=index,codec_type,codec_name:stream_tags=language,title:stream_disposition=default \
	  -of compact=p=0:nk=0 jobs/demo/out.mkv

test: venv system-packages test-system-packages
	HF_HUB_OFFLINE=1 $(if $(wildcard $(OPENBLAS)),LD_PRELOAD=$(OPENBLAS)) $(VENV)/bin/python -m pytest $(PYTEST_ARGS)

venv: $(STAMP)

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

films/demo.mp4: scripts/make_demo_film.py scripts/reelsub/synth.py media/jfk.flac | venv system-packages
	$(VENV)/bin/python scripts/make_demo_film.py $@

# Snakemake prints progress lines on stdout before the graph: keep the graph only.
dag: venv
	$(SNAKEMAKE) -n --dag | sed -n '/^digraph/,$$p' | dot -Tsvg > dag.svg
	$(SNAKEMAKE) -n --rulegraph | sed -n '/^digraph/,$$p' | dot -Tsvg > rulegraph.svg
	@echo "wrote dag.svg and rulegraph.svg"

# The HTML report of the demo film: QC tables, cue plots, stage benchmarks, rule graph.
report: demo
	HF_HUB_OFFLINE=1 $(SNAKEMAKE) -j4 reports
	$(SNAKEMAKE) --report report.html reports
	@echo "wrote report.html"

lint: venv
	$(SNAKEMAKE) --lint

hardware: venv
	$(VENV)/bin/python scripts/reelsub/hardware.py

bench: venv system-packages bench-system-packages
	HF_HUB_OFFLINE=1 $(VENV)/bin/python bench/run.py

bench-quick: venv system-packages bench-system-packages
	HF_HUB_OFFLINE=1 $(VENV)/bin/python bench/run.py --quick

# The ASR and translation rows on an NVIDIA GPU (exits 2, measuring nothing, where there is no CUDA).
bench-gpu: venv bench-system-packages
	HF_HUB_OFFLINE=1 $(VENV)/bin/python bench/gpu.py

clean:
	rm -rf jobs .snakemake dag.svg rulegraph.svg
