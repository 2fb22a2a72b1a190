#!/usr/bin/env bash
# seal_deliverable.sh FILE...: the last step of the rule that makes a deliverable (CRAM,
# gVCF, cohort VCF). Writes FILE.sha256 (`sha256sum` format, replaced in one rename, never
# half-written) and a receipt of the file's size, modification time and hash under
# .snakemake/validation/receipts/, which the check before every run reads so that an
# unchanged file is not hashed again (refcohort.integrity, which writes the same from
# Python). No other step writes a .sha256: a file damaged later is never vouched for.
set -euo pipefail
for file in "$@"; do
    hash=$(sha256sum "$file" | cut -d' ' -f1)
    [[ ${#hash} -eq 64 ]] || { echo "ERROR: no SHA-256 for $file" >&2; exit 1; }
    printf '%s  %s\n' "$hash" "$file" > "$file.sha256.tmp"
    mv -f "$file.sha256.tmp" "$file.sha256"
    receipt=".snakemake/validation/receipts/${file#/}.receipt"
    mkdir -p "$(dirname "$receipt")"
    printf '%s\t%s\t%s\n' "$(stat -c %s "$file")" "$(stat -c %Y "$file")" "$hash" > "$receipt"
done
