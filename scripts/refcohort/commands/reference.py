"""Reference preparation: staged copy, faidx, dictionary, BWA index."""

# bgzipped or gzipped FASTA is decompressed; plain FASTA is copied. The configured FASTA
# is params.source (a pathlib.Path, which Snakemake does not record) and the job is keyed
# on params.fingerprint, the FASTA's SHA-256: a reference moved to another path with the
# same bytes stages nothing again, and one with other bytes stages everything again.
STAGE_REFERENCE = (
    "(if gzip -t {params.source:q} 2>/dev/null; then gzip -dc {params.source:q}; "
    "else cat {params.source:q}; fi > {output.fasta:q}) 2> {log:q}"
)
SAMTOOLS_FAIDX = "samtools faidx {input.fasta:q} 2> {log:q}"
SAMTOOLS_DICT = "samtools dict {input.fasta:q} -o {output.dict:q} 2> {log:q}"
BWA_INDEX = "bwa index {input.fasta:q} 2> {log:q}"
