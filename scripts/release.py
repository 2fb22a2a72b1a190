#!/usr/bin/env python3
"""National reference release: privacy-safe allele frequencies per population and sex.

Reads the joint-called cohort (PASS records already split to biallelic by ``bcftools
norm -m -any`` upstream, usually uncompressed BCF on stdin) and writes a sites-only,
bgzipped and indexed VCF with allele counts and frequencies for the whole cohort, each
population, each sex and each population x sex group, with no sample IDs and no
genotypes anywhere in it.  Steps (pure, typed functions; ``main`` only maps paths):

1. :func:`select_samples`: who is released -- QC PASS/WARN samples of the joint call
   with a known sex (``unknown_sex``), one of each pair related closer than
   ``max_kinship`` (:func:`prune_related`).  Everyone else is listed, with the reason,
   in a separate, non-public table.
2. :class:`Design`: the groups and their place in the population x sex table, which
   groups are withheld (fewer than ``min_group_size`` individuals, or needed to stop a
   small group being recovered by subtraction: :func:`protect`).
3. :func:`group_counts`: per chunk of records, the genotype matrix (cyvcf2
   ``genotype.array()``) becomes per-call AN/AC/hom/het/hemi contributions under the
   expected ploidy (:func:`contribution`: males hemizygous on chrX outside the PARs
   and on chrY, females absent on chrY), looked up from a table and summed per group
   with float32 matrix products (exact: integers below 2^24).
4. Small counts: a group's AC is suppressed ('.') when the rarer allele is seen fewer
   than ``min_allele_count`` times (0 < AC < min or 0 < AN - AC < min), together with
   its AF, AC_Hom, AC_Het and AC_Hemi; further counts are suppressed where the
   suppressed one could otherwise be recovered by adding and subtracting published
   counts (:func:`protect`, cached per suppression pattern).
5. Text output written straight to ``bgzip``; AF is ``AC/AN`` as the shortest decimal
   that reads back as the same IEEE double (:func:`format_af`).

Usage (the ``release_frequencies`` rule)::

    bcftools view -f PASS -Ou cohort.vcf.gz | bcftools norm -m -any -f ref.fa -Ou \\
      | python release.py --vcf - --samples samples.tsv --qc sample_qc.tsv \\
          --relatedness relatedness.tsv --par par.bed --output release.vcf.gz \\
          --groups groups.tsv --excluded excluded.tsv --summary summary.json --mqc mqc.yaml
"""

import argparse
import csv
import datetime
import hashlib
import heapq
import json
import math
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

DEFAULT_MAX_KINSHIP = 0.177       # KING: first degree or closer
DEFAULT_MIN_ALLELE_COUNT = 10
DEFAULT_MIN_GROUP_SIZE = 20
DEFAULT_AUTOSOMES = r"(chr)?([1-9]|1[0-9]|2[0-2])"
DEFAULT_CHRX = r"(chr)?X"
DEFAULT_CHRY = r"(chr)?Y"
UNKNOWN_SEX_POLICIES = ("exclude", "count")
RELEASED_STATUSES = ("PASS", "WARN")

FIELDS = ("AC", "AN", "AF", "AC_Hom", "AC_Het", "AC_Hemi")
SEX_CODES = {"female": "F", "male": "M", "unknown": "U"}
SEX_WORDS = {"F": "females", "M": "males"}
EXCLUDED_COLUMNS = ["sample", "population", "sex", "reason", "detail"]
GROUP_COLUMNS = ["group", "population", "sex", "individuals", "status", "reason"]

# Site classes: expected ploidy per sample depends on the class and the sample's sex.
DIPLOID, X_HEMI, Y_HEMI, NOT_RELEASED, Y_PAR = 0, 1, 2, -1, -2
# Expected ploidy by class (rows) and sex (F, M, U columns).
PLOIDY = {DIPLOID: {"F": 2, "M": 2, "U": 2},
          X_HEMI: {"F": 2, "M": 1, "U": 2},   # unknown as the joint caller genotypes it (as F)
          Y_HEMI: {"F": 0, "M": 1, "U": 0}}

_READ_BUFFER_BYTES = 1 << 26


def _log(message: str) -> None:
    stamp = datetime.datetime.now().strftime("%H:%M:%S")
    print(f"[release {stamp}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- #
# 1. Who is released
# --------------------------------------------------------------------------- #
def read_tsv(path: Optional[str]) -> List[Dict[str, str]]:
    if not path:
        return []
    with open(path, newline="") as fh:
        rows = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(rows, delimiter="\t"))


def _coverage(row: Dict[str, str]) -> float:
    try:
        value = float(row.get("mean_autosome_coverage", "nan"))
    except ValueError:
        return -math.inf
    return -math.inf if math.isnan(value) else value


def prune_related(pairs: Iterable[Tuple[str, str, float]], candidates: Sequence[str],
                  max_kinship: float, qc: Dict[str, Dict[str, str]]
                  ) -> Dict[str, List[Tuple[str, float]]]:
    """Samples to leave out so that no two kept samples have kinship > ``max_kinship``.

    Greedy and deterministic: while a close pair is left, drop the sample in the most
    close pairs; ties go against a WARN verdict (before PASS), then the lower
    ``mean_autosome_coverage`` in ``qc``, then the lexicographically larger ID.  Pairs
    with a sample outside ``candidates`` are ignored (that sample is not released
    anyway).  Returns ``{dropped: [(partner, kinship), ...]}`` (its close pairs at the
    time it was dropped).
    """
    keep = set(candidates)
    close = sorted({(min(a, b), max(a, b), float(k)) for a, b, k in pairs
                    if a in keep and b in keep and a != b and float(k) > max_kinship})

    def badness(sample: str) -> Tuple[int, float, str]:
        row = qc.get(sample, {})
        return (1 if row.get("status") == "WARN" else 0, -_coverage(row), sample)

    dropped: Dict[str, List[Tuple[str, float]]] = {}
    while close:
        degree: Dict[str, int] = {}
        for a, b, _ in close:
            degree[a] = degree.get(a, 0) + 1
            degree[b] = degree.get(b, 0) + 1
        worst = max(degree, key=lambda s: (degree[s],) + badness(s))
        dropped[worst] = [(b if a == worst else a, k) for a, b, k in close if worst in (a, b)]
        close = [p for p in close if worst not in p[:2]]
    return dropped


@dataclass
class Sample:
    name: str
    population: str
    sex: str  # F, M or U


def select_samples(vcf_samples: Sequence[str], sheet: Sequence[Dict[str, str]],
                   qc: Sequence[Dict[str, str]], relatedness: Sequence[Dict[str, str]],
                   max_kinship: float = DEFAULT_MAX_KINSHIP, unknown_sex: str = "exclude"
                   ) -> Tuple[List[Sample], List[Dict[str, str]]]:
    """The released samples (in VCF order) and one row per sample left out, with why.

    Released: in the joint VCF, gate verdict PASS or WARN (an override brings a FAIL
    sample into joint calling, not into the release; with no QC table every VCF sample
    counts as PASS), a known sex unless ``unknown_sex`` is ``count``, and not dropped
    by :func:`prune_related`.  Every sample of the sheet and the VCF appears in exactly
    one of the two lists.
    """
    if unknown_sex not in UNKNOWN_SEX_POLICIES:
        raise ValueError(f"unknown_sex must be one of {UNKNOWN_SEX_POLICIES}, got {unknown_sex!r}")
    info = {r["sample"]: r for r in sheet}
    missing = [s for s in vcf_samples if s not in info]
    if missing:
        raise ValueError(f"samples in the VCF but not in the sample sheet: {', '.join(missing)}")
    verdicts = {r["sample"]: r for r in qc}
    if qc:
        unjudged = [s for s in vcf_samples if s not in verdicts]
        if unjudged:
            raise ValueError(f"samples in the VCF without a QC verdict: {', '.join(unjudged)}")
    in_vcf = set(vcf_samples)
    excluded: List[Dict[str, str]] = []

    def leave_out(name: str, reason: str, detail: str) -> None:
        row = info.get(name, {})
        excluded.append({"sample": name, "population": row.get("population", ""),
                         "sex": row.get("sex", ""), "reason": reason, "detail": detail})

    for row in sheet:
        if row["sample"] not in in_vcf:
            verdict = verdicts.get(row["sample"], {})
            detail = verdict.get("reasons") or f"{verdict.get('status', 'no QC verdict')}: not in the joint-called VCF"
            leave_out(row["sample"], "not joint-called", detail)
    candidates: List[str] = []
    for name in vcf_samples:
        verdict = verdicts.get(name, {"status": "PASS"})
        if verdict["status"] not in RELEASED_STATUSES:
            why = verdict.get("reasons", "")
            if verdict.get("override"):
                why += f" (joint-called by override: {verdict['override']})"
            leave_out(name, "QC FAIL", why.strip())
        elif info[name]["sex"] == "unknown" and unknown_sex == "exclude":
            leave_out(name, "sex unknown", "release.unknown_sex is 'exclude'")
        else:
            candidates.append(name)
    pairs = [(r["sample_1"], r["sample_2"], float(r["kinship"])) for r in relatedness]
    degrees = {(min(r["sample_1"], r["sample_2"]), max(r["sample_1"], r["sample_2"])): r.get("degree", "")
               for r in relatedness}
    dropped = prune_related(pairs, candidates, max_kinship, verdicts)
    for name in candidates:
        if name in dropped:
            detail = "; ".join(
                f"kinship {k:.3f} ({degrees.get((min(name, p), max(name, p)), '')}) with {p}"
                for p, k in dropped[name])
            leave_out(name, "related", detail)
    released = [Sample(n, info[n]["population"], SEX_CODES[info[n]["sex"]])
                for n in candidates if n not in dropped]
    return released, excluded


# --------------------------------------------------------------------------- #
# 2. Groups, the population x sex table and protection against subtraction
# --------------------------------------------------------------------------- #
@dataclass
class Group:
    """One count group: the whole cohort, a population, a sex or a population x sex cell.

    Every group is an edge of the table's graph (``u``, ``v``): nodes are the
    populations, a row-total node, the sexes F, M, U and a column-total node; a cell
    (p, s) joins p and s, population p's total joins p and the column total, sex s's
    total joins the row total and s, and the whole cohort joins the two totals.  The
    sums at each node are the additive relations between published counts.
    """
    name: str
    population: str          # a code or "all"
    sex: str                 # F, M, U or "all"
    members: np.ndarray      # indices into the released samples
    u: int = 0
    v: int = 0
    publishable: bool = True  # False for unknown-sex groups (never published)
    published: bool = False
    reason: str = ""

    @property
    def size(self) -> int:
        return int(self.members.size)

    @property
    def suffix(self) -> str:
        return "" if self.name == "all" else f"_{self.name}"

    @property
    def label(self) -> str:
        if self.name == "all":
            return "all released individuals"
        if self.population == "all":
            return f"{SEX_WORDS[self.sex]}"
        if self.sex == "all":
            return f"population {self.population}"
        return f"population {self.population}, {SEX_WORDS[self.sex]}"


def _connected(a: int, b: int, edges: Sequence[Tuple[int, int]], mask: int, skip: int, n_nodes: int) -> bool:
    """Whether nodes a and b are joined by edges in ``mask`` other than ``skip``."""
    parent = list(range(n_nodes))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, (u, v) in enumerate(edges):
        if i != skip and mask >> i & 1:
            parent[find(u)] = find(v)
    return find(a) == find(b)


def protect(hidden: int, sensitive: int, edges: Sequence[Tuple[int, int]],
            weights: Sequence[float], n_nodes: int) -> int:
    """Hide more edges until no sensitive hidden edge can be recovered by subtraction.

    ``hidden`` and ``sensitive`` are bit masks over ``edges`` (groups); the values at
    each node sum up (a two-way table with its margins), so a hidden value is
    determined by the published ones exactly when its edge is a bridge of the graph
    of hidden edges (it lies on no cycle of hidden edges).  While a sensitive hidden
    edge is such a bridge, the cheapest path joining its ends through other edges is
    hidden as well (hidden edges cost 0, published ones ``weights``, ties by edge
    order), which puts it on a cycle.  Returns the new hidden mask.  Bridges that are
    not sensitive stay: recovering them exposes nothing that must be protected.
    """
    n_edges = len(edges)
    while True:
        bad = next((i for i in range(n_edges) if sensitive >> i & 1 and hidden >> i & 1
                    and not _connected(edges[i][0], edges[i][1], edges, hidden, i, n_nodes)), None)
        if bad is None:
            return hidden
        start, goal = edges[bad]
        adjacency: Dict[int, List[Tuple[int, int]]] = {}
        for i, (u, v) in enumerate(edges):
            if i != bad:
                adjacency.setdefault(u, []).append((v, i))
                adjacency.setdefault(v, []).append((u, i))
        best: Dict[int, Tuple[float, Tuple[int, ...]]] = {start: (0.0, ())}
        queue: List[Tuple[float, Tuple[int, ...], int]] = [(0.0, (), start)]
        found: Optional[Tuple[int, ...]] = None
        while queue:
            cost, path, node = heapq.heappop(queue)
            if node == goal:
                found = path
                break
            if best.get(node, (math.inf,))[0] < cost:
                continue
            for nxt, i in adjacency.get(node, []):
                step = 0.0 if hidden >> i & 1 else float(weights[i])
                candidate = (cost + step, path + (i,))
                if nxt not in best or candidate < best[nxt]:
                    best[nxt] = candidate
                    heapq.heappush(queue, (cost + step, path + (i,), nxt))
        if found is None:  # cannot happen in a table with its margins; be safe
            return (1 << n_edges) - 1
        for i in found:
            hidden |= 1 << i


class Design:
    """The released samples' groups, which are published, and the protection cache."""

    def __init__(self, samples: Sequence[Sample], min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
                 min_allele_count: int = DEFAULT_MIN_ALLELE_COUNT):
        self.samples = list(samples)
        self.min_group_size = int(min_group_size)
        self.min_allele_count = int(min_allele_count)
        pops = sorted({s.population for s in self.samples})
        sexes = [x for x in ("F", "M", "U") if any(s.sex == x for s in self.samples)]
        pop_arr = np.array([s.population for s in self.samples], dtype=object)
        sex_arr = np.array([s.sex for s in self.samples], dtype=object)
        p_node = {p: i for i, p in enumerate(pops)}
        row_total = len(pops)
        s_node = {x: row_total + 1 + i for i, x in enumerate(("F", "M", "U"))}
        col_total = row_total + 4
        self.n_nodes = col_total + 1

        def members(pop: Optional[str], sex: Optional[str]) -> np.ndarray:
            mask = np.ones(len(self.samples), dtype=bool)
            if pop is not None:
                mask &= pop_arr == pop
            if sex is not None:
                mask &= sex_arr == sex
            return np.nonzero(mask)[0]

        groups: List[Group] = []
        if self.samples:
            groups.append(Group("all", "all", "all", members(None, None), row_total, col_total))
        groups += [Group(p, p, "all", members(p, None), p_node[p], col_total) for p in pops]
        groups += [Group(x, "all", x, members(None, x), row_total, s_node[x], publishable=x != "U")
                   for x in sexes]
        for p in pops:
            for x in ("F", "M", "U"):
                m = members(p, x)
                if m.size:
                    groups.append(Group(f"{p}_{x}", p, x, m, p_node[p], s_node[x], publishable=x != "U"))
        self.groups = groups
        self.edges = [(g.u, g.v) for g in groups]
        self.weights = [float(g.size) for g in groups]
        n = len(groups)
        small = sum(1 << i for i, g in enumerate(groups) if g.size < self.min_group_size)
        never = sum(1 << i for i, g in enumerate(groups) if not g.publishable)
        hidden = protect(small | never, small, self.edges, self.weights, self.n_nodes)
        for i, g in enumerate(groups):
            if not g.publishable:
                g.reason = "unknown sex: counted in the whole cohort and its population only"
            elif small >> i & 1:
                g.reason = f"fewer than {self.min_group_size} individuals"
            elif hidden >> i & 1:
                g.reason = ("withheld so that a smaller withheld group cannot be "
                            "recovered by subtracting published groups")
            g.published = not hidden >> i & 1
        self.static_hidden = hidden
        self.static_sensitive = small
        self.n_groups = n
        self.published = [g for g in groups if g.published]
        self.published_index = np.array([i for i, g in enumerate(groups) if g.published], dtype=np.intp)
        # Atoms: the population x sex cells; every released sample is in exactly one.
        cells = sorted({(s.population, s.sex) for s in self.samples})
        atom_of = {c: i for i, c in enumerate(cells)}
        self.sample_atom = np.array([atom_of[(s.population, s.sex)] for s in self.samples], dtype=np.int64)
        self.atom_groups = np.zeros((len(cells), n), dtype=np.int64)
        for i, g in enumerate(groups):
            self.atom_groups[np.unique(self.sample_atom[g.members]), i] = 1
        self.sexes = np.array([s.sex for s in self.samples], dtype=object)
        self._cache: Dict[bytes, np.ndarray] = {}

    def expected_ploidy(self) -> np.ndarray:
        """(3, n_samples) int8 expected ploidy per site class (DIPLOID, X_HEMI, Y_HEMI)."""
        out = np.zeros((3, len(self.samples)), dtype=np.int8)
        for cls, by_sex in PLOIDY.items():
            out[cls] = [by_sex[s] for s in self.sexes]
        return out

    def sensitive(self, ac: np.ndarray, an: np.ndarray) -> np.ndarray:
        """(records, groups) bool: the rarer allele seen 1..min_allele_count-1 times."""
        m = self.min_allele_count
        ref = an - ac
        return ((ac > 0) & (ac < m)) | ((ref > 0) & (ref < m))

    def suppress(self, primary: np.ndarray) -> np.ndarray:
        """(records, groups) bool hidden after protection, from the primary-suppression mask.

        Hidden = withheld groups, primary suppressions and whatever :func:`protect`
        adds; the result depends only on the primary pattern, so it is computed once
        per distinct pattern and cached.
        """
        r, n = primary.shape
        if r == 0:
            return primary.copy()
        static = np.array([self.static_hidden >> i & 1 for i in range(n)], dtype=bool)
        packed = np.packbits(primary, axis=1)
        keys, inverse = np.unique(packed, axis=0, return_inverse=True)
        results = np.empty((keys.shape[0], n), dtype=bool)
        for k, key in enumerate(keys):
            raw = key.tobytes()
            hit = self._cache.get(raw)
            if hit is None:
                bits = np.unpackbits(key)[:n].astype(bool)
                mask = sum(1 << i for i in np.nonzero(bits)[0])
                hidden = protect(self.static_hidden | mask, self.static_sensitive | mask,
                                 self.edges, self.weights, self.n_nodes)
                hit = np.array([hidden >> i & 1 for i in range(n)], dtype=bool)
                self._cache[raw] = hit
            results[k] = hit
        out = results[inverse.reshape(-1)]
        out |= static
        return out


# --------------------------------------------------------------------------- #
# 3. Counting
# --------------------------------------------------------------------------- #
def read_par(path: Optional[str]) -> Dict[str, List[Tuple[int, int]]]:
    """PAR intervals per contig from a BED (0-based half-open)."""
    par: Dict[str, List[Tuple[int, int]]] = {}
    if not path:
        return par
    with open(path) as fh:
        for line in fh:
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            f = line.split()
            par.setdefault(f[0], []).append((int(f[1]), int(f[2])))
    return par


def site_classes(contig_class: int, positions: np.ndarray, par: Sequence[Tuple[int, int]]) -> np.ndarray:
    """Class of each 1-based position on a contig of ``contig_class``.

    chrX: DIPLOID inside a PAR, X_HEMI outside; chrY: Y_PAR inside a PAR (not
    released: in GRCh38 analysis sets the Y PARs are masked and their reads align to
    the X copy), Y_HEMI outside; autosomes DIPLOID; other contigs NOT_RELEASED.
    """
    out = np.full(positions.shape, contig_class, dtype=np.int8)
    if contig_class in (X_HEMI, Y_HEMI) and par:
        inside = np.zeros(positions.shape, dtype=bool)
        for start, end in par:
            inside |= (positions > start) & (positions <= end)
        out[inside] = DIPLOID if contig_class == X_HEMI else Y_PAR
    return out


def contribution(expected: int, a0: int, a1: int) -> Tuple[Tuple[int, int, int, int, int], str]:
    """One call's (AN, AC, AC_Hom, AC_Het, AC_Hemi) and the anomaly it is, if any.

    ``a0``, ``a1`` are allele indices as cyvcf2's ``genotype.array()`` gives them (-1
    missing, -2 as the second allele of a haploid call; anything above 1 cannot occur
    in a biallelic record and counts as missing); ``expected`` is the ploidy the
    sample should have at the site (0, 1, 2).

    * expected 2: a diploid call with both alleles counts 2 alleles (AC_Hom 2 for 1/1,
      AC_Het 1 for 0/1); half-missing calls (./1) are missing; a haploid call is
      missing (anomaly ``haploid_where_diploid``);
    * expected 1 (hemizygous): a haploid call counts 1 allele (AC_Hemi 1 for ALT); a
      homozygous diploid call, as callers without sex-aware ploidy write, counts as
      that one allele; a heterozygous diploid call is missing (``het_where_hemizygous``);
    * expected 0 (females on chrY, samples not released): nothing.
    """
    zero = (0, 0, 0, 0, 0)
    haploid = a1 == -2
    ok0 = 0 <= a0 <= 1
    ok1 = 0 <= a1 <= 1
    if expected == 2:
        if haploid and ok0:
            return zero, "haploid_where_diploid"
        if not (ok0 and ok1):
            return zero, ""
        alt = a0 + a1
        return (2, alt, 2 if alt == 2 else 0, 1 if alt == 1 else 0, 0), ""
    if expected == 1:
        if haploid and ok0:
            return (1, a0, 0, 0, a0), ""
        if ok0 and ok1:
            if a0 != a1:
                return zero, "het_where_hemizygous"
            return (1, a0, 0, 0, a0), ""
    return zero, ""


# Every call falls in one of these states (AN, AC, AC_Hom, AC_Het, AC_Hemi); the last two
# are the anomalies, left out of the counts.
STATES = [(0, 0, 0, 0, 0), (2, 0, 0, 0, 0), (2, 1, 0, 1, 0), (2, 2, 2, 0, 0),
          (1, 0, 0, 0, 0), (1, 1, 0, 0, 1)]
ANOMALIES = ("haploid_where_diploid", "het_where_hemizygous")
N_STATES = len(STATES) + len(ANOMALIES)
STATE_VALUES = np.array(STATES + [(0, 0, 0, 0, 0)] * len(ANOMALIES), dtype=np.int64)  # (states, 5)


def _state_table() -> np.ndarray:
    """State of each call code: expected * 20 + (clip(a0, -1, 2) + 1) * 5 + clip(a1, -2, 2) + 2."""
    table = np.zeros(3 * 20, dtype=np.uint8)
    for expected in range(3):
        for i, a0 in enumerate(range(-1, 3)):
            for j, a1 in enumerate(range(-2, 3)):
                values, anomaly = contribution(expected, a0, a1)
                state = len(STATES) + ANOMALIES.index(anomaly) if anomaly else STATES.index(values)
                table[expected * 20 + i * 5 + j] = state
    return table


STATE_OF_CODE = _state_table()


def call_states(alleles: np.ndarray, ploidy: np.ndarray) -> np.ndarray:
    """(records, samples) uint8 index into ``STATES`` (+ anomalies) of every call, from
    (records, samples, 2) allele indices and the (records, samples) expected ploidy."""
    a0 = np.clip(alleles[..., 0], -1, 2).astype(np.uint8)  # -1 wraps to 255, +1 -> 0
    a1 = np.clip(alleles[..., 1], -2, 2).astype(np.uint8)
    codes = ploidy.astype(np.uint8) * np.uint8(20)
    a0 += np.uint8(1)
    a0 *= np.uint8(5)
    codes += a0
    a1 += np.uint8(2)
    codes += a1
    return STATE_OF_CODE[codes]


def group_counts(alleles: np.ndarray, ploidy: np.ndarray, sample_atom: np.ndarray,
                 atom_groups: np.ndarray) -> Tuple[np.ndarray, Dict[str, int]]:
    """(5, records, groups) int64 AN, AC, AC_Hom, AC_Het, AC_Hemi per group, and anomalies.

    ``sample_atom`` gives each sample's atom (its population x sex cell; samples not
    released point one past the last atom) and ``atom_groups`` (atoms x groups, 0/1)
    which groups each atom belongs to.  The calls are tallied per record, atom and
    state (:func:`contribution`) with one ``bincount``, then turned into counts and
    summed into groups: integer arithmetic throughout.  Anomalies count the calls
    left out as ``haploid_where_diploid`` and ``het_where_hemizygous``.
    """
    states = call_states(alleles, ploidy)
    r = states.shape[0]
    n_atoms = atom_groups.shape[0] + 1
    width = n_atoms * N_STATES
    dtype = np.int32 if r * width < 2**31 else np.int64
    key = (np.arange(r, dtype=dtype) * width)[:, None] + (sample_atom.astype(dtype) * N_STATES)[None, :]
    key += states
    tallies = np.bincount(key.ravel(), minlength=r * width).reshape(r, n_atoms, N_STATES)
    anomalies = {name: int(tallies[:, :-1, len(STATES) + i].sum()) for i, name in enumerate(ANOMALIES)}
    per_atom = tallies[:, :-1, :] @ STATE_VALUES  # (r, atoms, 5)
    sums = np.einsum("rak,ag->krg", per_atom, atom_groups)
    return np.ascontiguousarray(sums), anomalies


# --------------------------------------------------------------------------- #
# 4. Text output
# --------------------------------------------------------------------------- #
def format_af(ac: int, an: int) -> str:
    """AC/AN as the shortest decimal that reads back as the same double ('0', '1' exact)."""
    if ac == 0:
        return "0"
    if ac == an:
        return "1"
    return repr(ac / an)


class Formatter:
    """Builds sites-only VCF lines for the published groups, a chunk at a time."""

    def __init__(self, design: Design):
        self.design = design
        parts = ["%s\t%s\t%s\t%s\t%s\t.\tPASS\t"]
        info = []
        for g in design.published:
            info += [f"{f}{g.suffix}=%s" for f in FIELDS]
        parts.append(";".join(info) + "\n")
        self.template = "".join(parts) if info else "%s\t%s\t%s\t%s\t%s\t.\tPASS\t.\n"
        self.ints = np.array([str(i) for i in range(2 * max(1, len(design.samples)) + 2)] + ["."], dtype=object)
        self.dot = len(self.ints) - 1
        self.af_cache: Dict[int, str] = {}

    def _ints(self, values: np.ndarray, hidden: np.ndarray) -> np.ndarray:
        return self.ints[np.where(hidden, self.dot, values)]

    def _afs(self, ac: np.ndarray, an: np.ndarray, hidden: np.ndarray) -> np.ndarray:
        base = 2 * len(self.design.samples) + 2
        keys = np.where(hidden | (an == 0), -1, an * base + ac)
        uniq, inverse = np.unique(keys, return_inverse=True)
        strings = np.empty(uniq.size, dtype=object)
        for i, key in enumerate(uniq.tolist()):
            if key < 0:
                strings[i] = "."
                continue
            text = self.af_cache.get(key)
            if text is None:
                text = self.af_cache[key] = format_af(key % base, key // base)
            strings[i] = text
        return strings[inverse.reshape(-1)]

    def lines(self, meta: Sequence[np.ndarray], sums: np.ndarray, hidden: np.ndarray) -> str:
        """VCF text for the records: meta = (chrom, pos, id, ref, alt) object arrays."""
        columns = list(meta)
        an_all = sums[0]
        for gi in self.design.published_index:
            an, ac = an_all[:, gi], sums[1, :, gi]
            h = hidden[:, gi]
            columns += [self._ints(ac, h), self.ints[an], self._afs(ac, an, h),
                        self._ints(sums[2, :, gi], h), self._ints(sums[3, :, gi], h),
                        self._ints(sums[4, :, gi], h)]
        template = self.template
        return "".join([template % row for row in zip(*columns)])


def header_lines(design: Design, contigs: Sequence[Tuple[str, Optional[int]]], policy: Dict[str, object]) -> List[str]:
    """The release header: no command lines, no paths, no sample IDs."""
    out = ["##fileformat=VCFv4.2",
           "##source=germline-wgs national release (scripts/release.py)",
           '##FILTER=<ID=PASS,Description="All filters passed">']
    for name, length in contigs:
        out.append(f"##contig=<ID={name}" + (f",length={length}>" if length else ">"))
    for g in design.published:
        who = g.label
        out += [
            f'##INFO=<ID=AC{g.suffix},Number=A,Type=Integer,Description="Alternate allele count in {who} (hemizygous calls count 1); . = suppressed (see release_policy small_counts)">',
            f'##INFO=<ID=AN{g.suffix},Number=1,Type=Integer,Description="Total number of called alleles in {who} (males 1 on chrX outside the PARs and on chrY, females 0 on chrY)">',
            f'##INFO=<ID=AF{g.suffix},Number=A,Type=Float,Description="Alternate allele frequency AC{g.suffix}/AN{g.suffix} in {who}, the shortest decimal that reads back as the same double; . when AN is 0 or the count is suppressed">',
            f'##INFO=<ID=AC_Hom{g.suffix},Number=A,Type=Integer,Description="Alternate alleles in homozygous genotypes in {who} (2 per homozygous individual); . = suppressed">',
            f'##INFO=<ID=AC_Het{g.suffix},Number=A,Type=Integer,Description="Alternate alleles in heterozygous genotypes in {who}; . = suppressed">',
            f'##INFO=<ID=AC_Hemi{g.suffix},Number=A,Type=Integer,Description="Alternate alleles in hemizygous genotypes in {who} (males on chrX outside the PARs and on chrY); . = suppressed">',
        ]
    for key, text in policy.items():
        out.append(f'##release_policy=<ID={key},Description="{text}">')
    for g in design.groups:
        if g.publishable:
            status = (f"Individuals={g.size}" if g.published else "Status=withheld")
            out.append(f"##release_group=<ID={g.name},Population={g.population},Sex={g.sex},{status}>")
    out.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    return out


def policy_lines(design: Design, max_kinship: float, unknown_sex: str) -> Dict[str, str]:
    n, m = design.min_group_size, design.min_allele_count
    published = ", ".join(f"{g.name}={g.size}" for g in design.published) or "none"
    withheld = ", ".join(g.name for g in design.groups if g.publishable and not g.published) or "none"
    unknown = ("samples of unknown sex are not released" if unknown_sex == "exclude" else
               "samples of unknown sex count in the whole cohort and their population only (diploid on chrX as the joint caller genotypes them, nothing on chrY)")
    return {
        "samples": "QC PASS or WARN samples of the joint call (FAIL samples forced in by an override are not released); " + unknown,
        "relatedness": f"KING-robust kinship > {max_kinship:g}: one sample of each such pair is left out, greedily the one in most such pairs, ties against a WARN verdict then lower mean autosomal coverage then the larger sample ID",
        "sites": "PASS records of the joint call split to biallelic and left-aligned (bcftools norm -m -any -f reference); records with no alternate allele among the released samples are dropped; autosomes, chrX and chrY only (the chrY PARs are not released); QUAL and the caller's INFO are not carried over",
        "ploidy": "males 1 allele on chrX outside the PARs and on chrY (a homozygous diploid call counts as one allele, a heterozygous one as missing), females 0 alleles on chrY, 2 elsewhere; half-missing calls count as missing",
        "small_counts": f"a group's AC, AF, AC_Hom, AC_Het and AC_Hemi are '.' when 0 < AC < {m} or 0 < AN-AC < {m} (min_allele_count={m}), and further counts are suppressed wherever a suppressed one could otherwise be recovered by adding and subtracting published counts; AN is always published",
        "small_groups": f"groups with fewer than {n} individuals are not published (min_group_size={n}), nor are groups that would let such a group be recovered by subtraction",
        "groups": f"published (individuals): {published}; withheld: {withheld}",
        "AF": "AF = AC/AN computed in double precision and written as the shortest decimal that reads back as the same double (0 and 1 exactly)",
    }


# --------------------------------------------------------------------------- #
# 5. The run
# --------------------------------------------------------------------------- #
@dataclass
class Tally:
    records: int = 0
    not_pass: int = 0
    other_contig: int = 0
    y_par: int = 0
    not_biallelic: int = 0
    monomorphic: int = 0
    written: int = 0
    anomalies: Dict[str, int] = field(default_factory=lambda: {"haploid_where_diploid": 0, "het_where_hemizygous": 0})


def contig_class(name: str, autosomes: str, chrx: str, chry: str) -> int:
    if re.fullmatch(autosomes, name):
        return DIPLOID
    if re.fullmatch(chrx, name):
        return X_HEMI
    if re.fullmatch(chry, name):
        return Y_HEMI
    return NOT_RELEASED


def header_contigs(raw_header: str, keep) -> List[Tuple[str, Optional[int]]]:
    out = []
    for line in raw_header.splitlines():
        if line.startswith("##contig=<"):
            name = re.search(r"[<,]ID=([^,>]+)", line)
            length = re.search(r"[<,]length=(\d+)", line)
            if name and keep(name.group(1)):
                out.append((name.group(1), int(length.group(1)) if length else None))
    return out


def release(vcf: str, samples_tsv: str, output: str, qc_tsv: Optional[str] = None,
            relatedness_tsv: Optional[str] = None, par_bed: Optional[str] = None,
            autosomes: str = DEFAULT_AUTOSOMES, chrx: str = DEFAULT_CHRX, chry: str = DEFAULT_CHRY,
            max_kinship: float = DEFAULT_MAX_KINSHIP, min_allele_count: int = DEFAULT_MIN_ALLELE_COUNT,
            min_group_size: int = DEFAULT_MIN_GROUP_SIZE, unknown_sex: str = "exclude",
            threads: int = 1, chunk_size: int = 8192) -> Dict[str, object]:
    """Write the release VCF (bgzipped, tabix-indexed, .sha256); return the summary.

    The summary holds the counts (records read, dropped by reason, written), the
    groups (published or withheld, individuals, suppressed counts) and the excluded
    samples (for the non-public table; callers must not publish that part).
    """
    from cyvcf2 import VCF  # imported here so the pure functions need only numpy

    reader = VCF(vcf, threads=threads) if threads > 1 and vcf != "-" else VCF(vcf)
    vcf_samples = list(reader.samples)
    sheet = read_tsv(samples_tsv)
    released, excluded = select_samples(vcf_samples, sheet, read_tsv(qc_tsv), read_tsv(relatedness_tsv),
                                        max_kinship, unknown_sex)
    design = Design(released, min_group_size, min_allele_count)
    _log(f"{len(vcf_samples)} samples in the VCF, {len(released)} released, {len(excluded)} left out; "
         f"groups published: {', '.join(g.name for g in design.published) or 'none'}")
    columns = np.array([vcf_samples.index(s.name) for s in released], dtype=np.intp)
    vcf_atom = np.full(len(vcf_samples), design.atom_groups.shape[0], dtype=np.int64)  # not released
    vcf_atom[columns] = design.sample_atom
    expected = np.zeros((3, len(vcf_samples)), dtype=np.int8)  # not released: ploidy 0
    expected[:, columns] = design.expected_ploidy()
    par = read_par(par_bed)
    classes: Dict[str, int] = {}

    def cls_of(name: str) -> int:
        c = classes.get(name)
        if c is None:
            c = classes[name] = contig_class(name, autosomes, chrx, chry)
        return c

    contigs = header_contigs(reader.raw_header, lambda c: cls_of(c) != NOT_RELEASED)
    policy = policy_lines(design, max_kinship, unknown_sex)
    formatter = Formatter(design)
    tally = Tally()
    n_vcf = len(vcf_samples)
    chunk = max(1, min(int(chunk_size), _READ_BUFFER_BYTES // max(1, 4 * n_vcf)))
    buffer = np.empty((chunk, n_vcf, 2), dtype=np.int16)
    meta: List[list] = [[], [], [], [], []]
    suppressed = np.zeros((2, design.n_groups), dtype=np.int64)  # primary, secondary
    published_records = np.zeros(design.n_groups, dtype=np.int64)
    start = time.monotonic()

    out_path = Path(output)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "wb") as raw:
        bgzip = subprocess.Popen(["bgzip", "-c", "-@", str(max(1, threads))], stdin=subprocess.PIPE, stdout=raw)
        sink = bgzip.stdin
        sink.write(("\n".join(header_lines(design, contigs, policy)) + "\n").encode())

        def flush(k: int) -> None:
            if k == 0:
                return
            chroms = np.array(meta[0], dtype=object)
            positions = np.array(meta[1], dtype=np.int64)
            site_cls = np.empty(k, dtype=np.int8)
            for name in dict.fromkeys(meta[0]):
                rows = chroms == name
                site_cls[rows] = site_classes(cls_of(name), positions[rows], par.get(name, []))
            y_par = site_cls == Y_PAR
            tally.y_par += int(y_par.sum())
            keep = ~y_par
            ploidy = expected[np.where(keep, site_cls, DIPLOID)]
            if design.n_groups:
                sums, anomalies = group_counts(buffer[:k], ploidy, vcf_atom, design.atom_groups)
                for key, value in anomalies.items():
                    tally.anomalies[key] += value
                keep &= sums[1, :, 0] > 0  # group 0 is the whole cohort
            else:
                sums = np.zeros((5, k, 0), dtype=np.int64)
                keep &= False
            tally.monomorphic += int((~keep).sum() - y_par.sum())
            if keep.any():
                sums = sums[:, keep]
                primary = design.sensitive(sums[1], sums[0])
                hidden = design.suppress(primary)
                pub = np.zeros(design.n_groups, dtype=bool)
                pub[design.published_index] = True
                suppressed[0] += (primary & pub).sum(axis=0)
                suppressed[1] += (hidden & ~primary & pub).sum(axis=0)
                published_records[:] += (~hidden & pub).sum(axis=0)
                rows = [np.array(m, dtype=object)[keep] for m in meta]
                sink.write(formatter.lines(rows, sums, hidden).encode())
                tally.written += int(keep.sum())
            for m in meta:
                m.clear()

        filled = 0
        try:
            for rec in reader:
                tally.records += 1
                if rec.FILTER is not None:
                    tally.not_pass += 1
                    continue
                chrom = rec.CHROM
                if cls_of(chrom) == NOT_RELEASED:
                    tally.other_contig += 1
                    continue
                alts = rec.ALT
                if len(alts) != 1 or alts[0] in ("*", ".", "") or alts[0].startswith("<"):
                    tally.not_biallelic += 1
                    continue
                gt = rec.genotype
                arr = gt.array() if gt is not None else None
                if arr is None:
                    buffer[filled] = -1
                elif arr.shape[1] == 3:
                    buffer[filled] = arr[:, :2]
                elif arr.shape[1] == 2:  # every call haploid
                    buffer[filled, :, 0] = arr[:, 0]
                    buffer[filled, :, 1] = -2
                else:  # polyploid calls in the record: those are missing
                    row = arr[:, :2].copy()
                    row[(arr[:, 2:-1] != -2).any(axis=1)] = -1
                    buffer[filled] = row
                meta[0].append(chrom)
                meta[1].append(rec.POS)
                meta[2].append(rec.ID or ".")
                meta[3].append(rec.REF)
                meta[4].append(alts[0])
                filled += 1
                if filled == chunk:
                    flush(filled)
                    filled = 0
                    if time.monotonic() - start > 10:
                        _log(f"{tally.records:,} records read, {tally.written:,} written")
                        start = time.monotonic()
            flush(filled)
        finally:
            reader.close()
            sink.close()
            rc = bgzip.wait()
        if rc != 0:
            raise RuntimeError(f"bgzip exited with {rc}")
    subprocess.run(["tabix", "-f", "-p", "vcf", str(out_path)], check=True)
    digest = hashlib.sha256()
    with open(out_path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    Path(f"{out_path}.sha256").write_text(f"{digest.hexdigest()}  {out_path.name}\n")
    _log(f"done: {tally.records:,} records read, {tally.written:,} written")

    groups = []
    for i, g in enumerate(design.groups):
        if not g.publishable:
            continue
        groups.append({"group": g.name, "population": g.population, "sex": g.sex,
                       "individuals": g.size if g.published else None,
                       "status": "published" if g.published else "withheld", "reason": g.reason,
                       "records_published": int(published_records[i]) if g.published else 0,
                       "suppressed_small_count": int(suppressed[0, i]) if g.published else 0,
                       "suppressed_to_protect": int(suppressed[1, i]) if g.published else 0})
    return {
        "records_read": tally.records, "not_pass": tally.not_pass, "other_contigs": tally.other_contig,
        "chrY_par": tally.y_par, "not_biallelic": tally.not_biallelic,
        "monomorphic_in_released": tally.monomorphic, "sites_written": tally.written,
        "calls_set_missing": dict(tally.anomalies),
        "samples_in_vcf": len(vcf_samples), "samples_released": len(released),
        "samples_excluded": len(excluded),
        "policy": {"max_kinship": max_kinship, "min_allele_count": min_allele_count,
                   "min_group_size": min_group_size, "unknown_sex": unknown_sex},
        "groups": groups,
        "excluded": excluded,
        "sha256": digest.hexdigest(),
    }


def write_tsv(path: str, columns: Sequence[str], rows: Iterable[Dict[str, object]]) -> None:
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), delimiter="\t", extrasaction="ignore",
                                lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})


def mqc_section(summary: Dict[str, object]) -> Dict[str, object]:
    """MultiQC custom content: the release's sites, groups and suppressed counts."""
    groups = summary["groups"]
    published = [g for g in groups if g["status"] == "published"]
    withheld = [g for g in groups if g["status"] == "withheld"]
    policy = summary["policy"]
    primary = sum(g["suppressed_small_count"] for g in published)
    secondary = sum(g["suppressed_to_protect"] for g in published)
    text = (f"results/release/allele_frequencies.vcf.gz: {summary['sites_written']:,} sites "
            f"({summary['records_read']:,} PASS biallelic records read, "
            f"{summary['monomorphic_in_released']:,} without an alternate allele among the released samples dropped); "
            f"{summary['samples_released']} of {summary['samples_in_vcf']} joint-called samples released; "
            f"{len(published)} groups published, {len(withheld)} withheld "
            f"(fewer than {policy['min_group_size']} individuals, or protecting one); "
            f"{primary:,} group counts suppressed as small (rarer allele seen fewer than {policy['min_allele_count']} times) "
            f"and {secondary:,} more so that they cannot be recovered by subtraction.")
    data = {}
    for g in groups:
        data[g["group"]] = {"status": g["status"], "individuals": g["individuals"],
                            "records_published": g["records_published"],
                            "suppressed_small_count": g["suppressed_small_count"],
                            "suppressed_to_protect": g["suppressed_to_protect"], "reason": g["reason"]}
    if not data:
        data = {"(none)": {"status": "no sample released"}}
    return {
        "id": "release_summary",
        "section_name": "National release (allele frequencies)",
        "description": text,
        "plot_type": "table",
        "pconfig": {"id": "release_summary_table", "title": "Release groups", "col1_header": "Group", "scale": False},
        "headers": {
            "status": {"title": "Status", "cond_formatting_rules": {"pass": [{"s_eq": "published"}], "warn": [{"s_eq": "withheld"}]},
                       "cond_formatting_colours": [{"pass": "#5cb85c"}, {"warn": "#f0ad4e"}]},
            "individuals": {"title": "Individuals", "format": "{:,.0f}"},
            "records_published": {"title": "Sites with AC", "description": "Sites where the group's AC is published", "format": "{:,.0f}"},
            "suppressed_small_count": {"title": "Suppressed (small)", "description": "Sites where the group's AC is suppressed as a small count", "format": "{:,.0f}"},
            "suppressed_to_protect": {"title": "Suppressed (protect)", "description": "Sites where the group's AC is suppressed so that a small count cannot be recovered by subtraction", "format": "{:,.0f}"},
            "reason": {"title": "Why withheld"},
        },
        "data": data,
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vcf", required=True, help="biallelic VCF/BCF ('-' for stdin)")
    ap.add_argument("--samples", required=True, help="samples.tsv (sample, sex, population)")
    ap.add_argument("--qc", help="sample_qc.tsv of the gate (default: every VCF sample PASS)")
    ap.add_argument("--relatedness", help="relatedness.tsv (sample_1, sample_2, kinship, ...)")
    ap.add_argument("--par", help="BED of the pseudo-autosomal regions")
    ap.add_argument("--autosomes", default=DEFAULT_AUTOSOMES)
    ap.add_argument("--chrx", default=DEFAULT_CHRX)
    ap.add_argument("--chry", default=DEFAULT_CHRY)
    ap.add_argument("--max-kinship", type=float, default=DEFAULT_MAX_KINSHIP)
    ap.add_argument("--min-allele-count", type=int, default=DEFAULT_MIN_ALLELE_COUNT)
    ap.add_argument("--min-group-size", type=int, default=DEFAULT_MIN_GROUP_SIZE)
    ap.add_argument("--unknown-sex", choices=UNKNOWN_SEX_POLICIES, default="exclude")
    ap.add_argument("--output", required=True, help="release VCF (.vcf.gz; .tbi and .sha256 beside it)")
    ap.add_argument("--groups", required=True, help="public TSV: groups, individuals, status")
    ap.add_argument("--excluded", required=True, help="NON-PUBLIC TSV: samples left out and why")
    ap.add_argument("--summary", help="JSON summary (public: counts only)")
    ap.add_argument("--mqc", help="MultiQC custom-content YAML")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--chunk-size", type=int, default=8192)
    a = ap.parse_args(argv)
    summary = release(a.vcf, a.samples, a.output, a.qc, a.relatedness, a.par, a.autosomes, a.chrx,
                      a.chry, a.max_kinship, a.min_allele_count, a.min_group_size, a.unknown_sex,
                      a.threads, a.chunk_size)
    write_tsv(a.groups, GROUP_COLUMNS, summary["groups"])
    write_tsv(a.excluded, EXCLUDED_COLUMNS, summary["excluded"])
    public = {k: v for k, v in summary.items() if k != "excluded"}
    if a.summary:
        Path(a.summary).write_text(json.dumps(public, indent=1) + "\n")
    if a.mqc:
        import yaml
        Path(a.mqc).parent.mkdir(parents=True, exist_ok=True)
        Path(a.mqc).write_text(yaml.safe_dump(mqc_section(public), sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
