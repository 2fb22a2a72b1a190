#!/usr/bin/env bash
# link_pg.sh [PARENT]: in rule bwa_mem_realign, between `bwa mem` and samtools, for reads
# realigned from a cram/bam/ubam. Copies the SAM stream from stdin to stdout and adds PP:PARENT to
# bwa's own @PG line (ID:bwa, which bwa writes without PP), so the output header reads as
# one chain: the original processing (its @PG lines, carried in with `bwa mem -H`), then
# our bwa, then the samtools steps that follow. Only the header is read line by line; the
# records are passed on by `cat`. Without PARENT (the file had no @PG chain) the stream
# passes unchanged.
set -euo pipefail
parent=${1:-}
if [[ -z $parent ]]; then
    exec cat
fi
linked=0
while IFS= read -r line; do
    if [[ $linked == 0 && $line == @PG$'\t'ID:bwa$'\t'* && $line != *$'\t'PP:* ]]; then
        line+=$'\t'"PP:$parent"
        linked=1
    fi
    printf '%s\n' "$line"
    if [[ $line != @* ]]; then
        exec cat
    fi
done
