#!/usr/bin/env bash
# soft_filters.sh [NAME EXPRESSION]...: the joint calls' soft site filters (config
# joint.filters). BCF on stdin, BCF on stdout: each pair is one
# `bcftools filter --mode + --soft-filter NAME --exclude EXPRESSION`, piped in order, so a
# record failing several carries every name in FILTER. No pairs: passed on unchanged.
set -euo pipefail
if [[ $# -eq 0 ]]; then
    exec bcftools view -Ou -
fi
if [[ $# -lt 2 ]]; then
    echo "soft_filters.sh: NAME without EXPRESSION ($1)" >&2
    exit 2
fi
name=$1 expression=$2
shift 2
if [[ $# -eq 0 ]]; then
    exec bcftools filter --mode + --soft-filter "$name" --exclude "$expression" -Ou -
fi
bcftools filter --mode + --soft-filter "$name" --exclude "$expression" -Ou - | bash "$0" "$@"
