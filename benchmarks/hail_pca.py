"""Hail's hwe_normalized_pca on a PLINK .bed, for bench_structure.py (run with
.venv-hail's Python: Hail cannot share the main venv, docs/development.md).

    .venv-hail/bin/python benchmarks/hail_pca.py PREFIX OUT.tsv --k 10 --cores 2 --memory-mb 12000

Writes the sample scores (sample, PC1..PCk) to OUT.tsv and prints the seconds of the
import + PCA (after Spark has started) and of the Spark start itself.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from refcohort import hail_vds  # noqa: E402  (after the path edit: .venv-hail has no refcohort)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("prefix")
    ap.add_argument("out")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--memory-mb", type=int, default=12000)
    a = ap.parse_args()
    tmp = Path(a.out).parent / "hail-tmp"
    t0 = time.perf_counter()
    hl = hail_vds.start("local", a.cores, a.memory_mb, tmp, Path(a.out).with_suffix(".hail.log"))
    t1 = time.perf_counter()
    mt = hl.import_plink(
        f"{a.prefix}.bed", f"{a.prefix}.bim", f"{a.prefix}.fam", reference_genome=None
    )
    _, scores, _ = hl.methods.hwe_normalized_pca(mt.GT, k=a.k)
    rows = scores.collect()
    t2 = time.perf_counter()
    with open(a.out, "w") as fh:
        fh.write("sample\t" + "\t".join(f"PC{i + 1}" for i in range(a.k)) + "\n")
        for r in rows:
            fh.write(r.s + "\t" + "\t".join(f"{x:.6g}" for x in r.scores) + "\n")
    print(f"spark_start_s\t{t1 - t0:.1f}\npca_s\t{t2 - t1:.1f}")
    hl.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
