"""Reference preparation: staged copy, faidx, dictionary, BWA index."""

# bgzipped or gzipped FASTA is decompressed; plain FASTA is copied
STAGE_REFERENCE = (
    "(if gzip -t {input.fasta:q} 2>/dev/null; then gzip -dc {input.fasta:q}; "
    "else cat {input.fasta:q}; fi > {output.fasta:q}) 2> {log:q}"
)
SAMTOOLS_FAIDX = "samtools faidx {input.fasta:q} 2> {log:q}"
SAMTOOLS_DICT = "samtools dict {input.fasta:q} -o {output.dict:q} 2> {log:q}"
BWA_INDEX = "bwa index {input.fasta:q} 2> {log:q}"
