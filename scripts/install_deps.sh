#!/usr/bin/env bash
# Install the command-line tools the pipeline runs (Debian packages), only those missing.
# Without root or apt-get, explain the conda/apptainer route instead and fail.
# --test: also what the test suite needs (headless Chromium to open the report).
set -euo pipefail

# command:package pairs checked on PATH
tools="bwa:bwa samtools:samtools bcftools:bcftools tabix:tabix bgzip:tabix fastp:fastp mosdepth:mosdepth freebayes:freebayes plink2:plink2 delly:delly"
if [ "${1:-}" = "--test" ]; then
  # headless Chromium opens the report; a one-node SLURM cluster on loopback runs the
  # demo through profiles/slurm (tests/e2e/test_slurm.py)
  tools="$tools chromium:chromium slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client munged:munge"
fi
missing=()
for pair in $tools; do
  # daemons live in /usr/sbin, which a non-root PATH may lack
  command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${pair%%:*}" ] || missing+=("${pair#*:}")
done
dpkg-query -W -f='${Status}' libhts-dev 2>/dev/null | grep -q "ok installed" || missing+=(libhts-dev)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
# shellcheck disable=SC2207
missing=($(printf '%s\n' "${missing[@]}" | sort -u))

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  cat >&2 <<MSG
Missing tools: ${missing[*]}
They are installed from Debian packages, which needs root and apt-get (not available here).
Either ask an administrator to run:
    apt-get install ${missing[*]}
or use the pinned conda environments in envs/ (one per tool), which Snakemake creates
for every rule:
    snakemake --configfile config/demo.yaml --sdm conda
(you still need Python >= 3.11 with the packages in requirements.txt for Snakemake itself).
MSG
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
