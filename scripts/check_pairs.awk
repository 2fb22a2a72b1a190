# check_pairs.awk: the guard between fastp and `bwa mem -p` in rule bwa_mem. It passes
# fastp's interleaved FASTQ through unchanged and stops the stream (exit 1, one line
# "ERROR: FASTQ check: ..." on stderr) at the first record that BWA would take silently:
# mates whose names differ (bwa -p pairs whatever comes next), a record that is not four
# lines (@name, bases, +, qualities), qualities of another length than the bases or
# outside '!'..'~', an unpaired last read, or no reads at all; and input that cannot be
# what the sequencer wrote: lower-case bases (fastp's adapter matching and bwa's seeding
# treat them differently), R1 and R2 swapped (Illumina's "1:N:..." comment on the R2 file),
# or an R2 file that is a copy of R1 (every one of the first 1000 pairs with the same bases).
# Names are compared on their first word without /1 or /2. Runs in the stream, so it costs
# no extra pass.
# Use: awk -f check_pairs.awk   (LC_ALL=C is not needed: only ASCII ranges are used)
# In rule bwa_mem_realign it guards `samtools fastq` the same way: awk -v source=realign
function fail(msg) {
    printf "ERROR: FASTQ check: %s\n", msg > "/dev/stderr"
    failed = 1
    exit 1
}
function comment(header,   c) {
    c = header
    if (!sub(/^[^ \t]*[ \t]+/, "", c))
        return ""
    return c
}
function first_word(header,   n) {
    n = substr(header, 2)
    sub(/[ \t].*/, "", n)
    sub(/\/[12]$/, "", n)
    return n
}
{
    line = (NR - 1) % 4
    if (line == 0) {
        header = $0
        read = (NR + 3) / 4
        if (substr(header, 1, 1) != "@")
            fail("read " read " does not start with '@' (" substr(header, 1, 60) "): the FASTQ is damaged or not FASTQ")
        if (read % 2 == 1) {
            mate = first_word(header)
            mate_comment = comment(header)
        } else if (first_word(header) != mate)
            fail("read pair " read / 2 " has R1 " mate " but R2 " first_word(header) ": the R1 and R2 files are not mates, or not in the same order")
        else if (read == 2 && mate_comment ~ /^2:[YN]:/ && comment(header) ~ /^1:[YN]:/)
            fail("R1 and R2 are swapped: the fq1 file holds read 2 (" mate " " mate_comment ") and the fq2 file read 1; swap fq1 and fq2 in units.tsv")
    } else if (line == 1) {
        bases = length($0)
        if ($0 ~ /[a-z]/)
            fail("read " read " (" substr(header, 2) "): lower-case bases (" substr($0, 1, 20) "...); FASTQ bases are upper case, and fastp and bwa treat lower case differently: convert the file (e.g. seqtk seq -U) or check what wrote it")
        if (read % 2 == 1)
            r1_bases = $0
        else if (read <= 2000) {
            same += ($0 == r1_bases)
            if (read == 2000 && same == 1000)
                fail("the first 1000 read pairs have the same bases in R1 and R2: the fq2 file is a copy of fq1, not the mate reads")
        }
    } else if (line == 2) {
        if (substr($0, 1, 1) != "+")
            fail("read " read " (" substr(header, 2) "): the third line does not start with '+': the FASTQ is damaged or not FASTQ")
    } else {
        if (length($0) != bases)
            fail("read " read " (" substr(header, 2) "): " bases " bases but " length($0) " quality characters: the FASTQ is damaged or truncated")
        if ($0 ~ /[^!-~]/)
            fail("read " read " (" substr(header, 2) "): quality characters outside '!'..'~'")
    }
    print
}
END {
    if (failed)
        exit 1
    if (NR == 0)
        fail(source == "realign" ? "no read pairs came out of samtools fastq and fastp: the file holds no paired reads (single-end data is not supported), or samtools could not read it (see its messages above)" : "no reads came out of fastp: the FASTQ files are empty, fastp could not read them (see its messages above), or fastp removed every read (reads of N only, too short or of low quality: filtering_result in its JSON report)")
    if (NR % 8 != 0)
        fail("the stream ended inside a read pair (" NR " lines): " (source == "realign" ? "samtools stopped early" : "the FASTQ is truncated or fastp stopped early") " (see its messages above)")
    printf "FASTQ check: %d read pairs passed to bwa mem\n", NR / 8 > "/dev/stderr"
}
