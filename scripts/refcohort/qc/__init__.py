"""Per-sample QC: coverage from mosdepth thresholds, GA4GH metrics, sex check,
contamination, the QC gate, QC and ploidy regions, relatedness and the MultiQC sections."""
