"""The release's input, the report, scoring and the integrity of the deliverables."""

# PASS records of the cohort VCF, genotypes only, split to biallelic and left-aligned:
# what scripts/release_allele_frequencies.py counts
RELEASE_INPUT = (
    "bcftools view --apply-filters .,PASS -Ou {input.vcf:q}"
    " | bcftools annotate --remove 'INFO,^FORMAT/GT' -Ou"
    " | bcftools norm --multiallelics -any --fasta-ref {input.fasta:q} -Ob -o {output.bcf:q}"
)
RELEASE_INPUT_RULE = f"({RELEASE_INPUT}) 2> {{log:q}}"
MULTIQC_RULE = (
    "multiqc --force --config {input.config:q} --outdir {params.outdir:q}"
    " --filename multiqc.html"
    " {input.fastp:q} {input.markdup:q} {input.samtools:q} {input.mosdepth:q}"
    " {input.custom:q} {input.release:q} {input.sv:q} 2> {log:q}"
)
SUMMARISE_ACCURACY_RULE = "awk 'FNR > 1 || NR == 1' {input.tsvs:q} > {output.tsv:q} 2> {log:q}"
# a deliverable's MD5 (as EGA uploads expect) and a deliverable VCF's index, each made
# from the file (checked against its SHA-256 before the run), never by remaking the file
MD5SUM_RULE = "md5sum {input.file:q} > {output.md5:q} 2> {log:q}"
TABIX = "tabix -f -p vcf {input.vcf:q}"
TABIX_RULE = f"({TABIX}) 2> {{log:q}}"
