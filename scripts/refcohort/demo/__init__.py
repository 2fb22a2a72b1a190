"""The demo cohort: a GRCh38-like synthetic genome, a population-structured cohort with
known truth, and Illumina-like paired-end FASTQ files (``scripts/make_demo_data.py``).

Deterministic for a given seed; vectorised with numpy; worker processes write the reads.

    genome      the reference in miniature: contigs, N gaps, PARs, repeats, segdups
    variants    sites, individuals' haplotypes, inheritance, truth genotypes
    reads       quality and error model, fragments, read names, FASTQ writing
    external    S03 as another centre's CRAM, S04 as an unaligned BAM
    truth       truth and population-AF VCFs, callable/gaps/PAR/segdup BEDs, ploidy file
    cohort      the sample design (planted QC cases) and :func:`~.cohort.write_demo`

The scaling benchmark (``benchmarks/bench_scaling.py``) draws its reads with the same
quality and error model and writes them with the same FASTQ writer.
"""
