# make demo   install what is missing, generate the demo cohort, run the whole pipeline
# make test   install what is missing, run the test suite (lint, dry-runs, unit, e2e)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
CORES ?= $(shell nproc)
SNAKEMAKE := $(BIN)/snakemake --cores $(CORES) --workflow-profile profiles/default
DEMO := resources/demo

.PHONY: deps tools test-tools demo demo-data test lint format clean

deps: tools $(VENV)/.installed

tools:
	@bash scripts/install_deps.sh

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python >= 3.11 is needed (found $$($(PYTHON) --version))" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

demo-data: $(DEMO)/.complete

$(DEMO)/.complete: scripts/make_demo_data.py | deps
	$(BIN)/python scripts/make_demo_data.py --outdir $(DEMO) --threads 2
	touch $@

demo: deps demo-data
	$(SNAKEMAKE) --configfile config/demo.yaml
	@echo
	@echo "Demo finished. Outputs:"
	@echo "  cohort VCF      results/joint/cohort.vcf.gz (+ .tbi, .md5)"
	@echo "  CRAMs           results/align/<sample>.cram (+ .crai, .md5)"
	@echo "  gVCFs           results/gvcf/<sample>.g.vcf.gz (+ .tbi, .md5)"
	@echo "  QC report       results/report/multiqc.html"
	@echo "  accuracy        results/eval/summary.tsv (joint-called samples with truth)"
	@echo "  sample QC       results/qc/sample_qc.tsv"
	@echo
	@awk -F'\t' '{ printf "%-8s %-7s %-14s %s\n", $$1, $$2, $$5, $$3 }' results/qc/sample_qc.tsv
	@echo
	@awk -F'\t' 'NR == 1 || $$2 != "ALL" { printf "%-8s %-6s %7s %6s %6s %10s %10s %10s %12s\n", $$1, $$2, $$3, $$6, $$7, $$8, $$9, $$10, $$17 }' results/eval/summary.tsv

test-tools:
	@bash scripts/install_deps.sh --test

test: deps test-tools
	bash -c 'set -o pipefail; $(BIN)/python -m pytest tests -ra --durations=15'

lint: deps
	$(BIN)/snakefmt --check Snakefile workflow
	$(BIN)/snakemake --lint --configfile config/demo.yaml

format: deps
	$(BIN)/snakefmt Snakefile workflow

clean:
	rm -rf results logs .snakemake benchmarks/*/
