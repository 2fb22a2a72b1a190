#!/usr/bin/env bash
# check_output.sh KIND FILE...: the last step of a rule whose tool writes through a shell
# redirect or may take a damaged input without failing. Some tools exit 0 after a failed
# write (samtools stats and bcftools stats with the disk full: measured, docs/reliability.md)
# or after reading a truncated file (htslib only warns "EOF marker is absent"); this checks
# that what they wrote is complete, and fails the job (Snakemake then removes its outputs)
# with a line starting "ERROR: output check:".
#   samtools-stats  the SN summary and the last section (GCD) are there, the file ends with a line end
#   bcftools-stats  the SN summary is there, the file ends with a line end
#   mosdepth        a mosdepth summary with its 'total' line
#   text            not empty, ends with a line end
#   json            a JSON object: starts with '{' and ends with '}'
#   bgzf            ends with the BGZF end-of-file block (bgzip, htslib -Oz/-Ob, CRAM has its own: quickcheck)
#   hts-log         a tool's log without htslib errors or a truncated-input warning
set -euo pipefail
kind=$1
shift
fail() {
    echo "ERROR: output check: $1 (an incomplete write, e.g. a full disk, or a damaged input)" >&2
    exit 1
}
ends_with_newline() { [[ -s $1 && $(tail -c 1 "$1" | od -An -c | tr -d ' ') == '\n' ]]; }
BGZF_EOF='1f8b08040000000000ff0600424302001b0003000000000000000000'
for file in "$@"; do
    case $kind in
        samtools-stats)
            ends_with_newline "$file" || fail "$file is empty or does not end with a line end"
            grep -q $'^SN\traw total sequences:' "$file" || fail "$file has no SN summary"
            grep -q $'^GCD\t' "$file" || fail "$file ends before its last section (GCD)"
            ;;
        bcftools-stats)
            ends_with_newline "$file" || fail "$file is empty or does not end with a line end"
            grep -q $'^SN\t0\tnumber of records:' "$file" || fail "$file has no SN summary"
            ;;
        mosdepth)
            ends_with_newline "$file" || fail "$file is empty or does not end with a line end"
            grep -q $'^total\t' "$file" || fail "$file has no 'total' line"
            ;;
        text)
            ends_with_newline "$file" || fail "$file is empty or does not end with a line end"
            ;;
        json)
            first=$(head -c 4096 "$file" | tr -d ' \t\r\n' | cut -c 1)
            last=$(tail -c 4096 "$file" | tr -d ' \t\r\n' | tail -c 1)
            [[ $first == '{' && $last == '}' ]] || fail "$file is not a complete JSON object"
            ;;
        bgzf)
            [[ $(tail -c 28 "$file" | od -An -tx1 | tr -d ' \n') == "$BGZF_EOF" ]] ||
                fail "$file does not end with the BGZF end-of-file block"
            ;;
        hts-log)
            if grep -qE 'EOF marker is absent|\[E::|[Tt]runcated file|decode error|[Cc]orrupt' "$file"; then
                line=$(grep -m1 -E 'EOF marker is absent|\[E::|[Tt]runcated file|decode error|[Cc]orrupt' "$file")
                fail "the tool reported a damaged or truncated input: $line"
            fi
            ;;
        *)
            echo "check_output.sh: unknown kind '$kind'" >&2
            exit 2
            ;;
    esac
done
