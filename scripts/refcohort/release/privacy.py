"""Groups, the population x sex table and protection against subtraction.

:class:`Design` holds the count groups (the whole cohort, each population, each sex and
each population x sex cell), which are published (at least ``min_group_size``
individuals, and not needed to stop a smaller group being recovered by subtraction:
:func:`protect`) and, per record, which counts are suppressed as small (the rarer allele
seen fewer than ``min_allele_count`` times) or to protect a suppressed one.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .counts import PLOIDY
from .samples import Sample

DEFAULT_MIN_ALLELE_COUNT = 10
DEFAULT_MIN_GROUP_SIZE = 20
SEX_WORDS = {"F": "females", "M": "males"}
GROUP_COLUMNS = ["group", "population", "sex", "individuals", "status", "reason"]


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
    population: str  # a code or "all"
    sex: str  # F, M, U or "all"
    members: np.ndarray  # indices into the released samples
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


def _connected(
    a: int, b: int, edges: Sequence[tuple[int, int]], mask: int, skip: int, n_nodes: int
) -> bool:
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


def _exposed(hidden: int, sensitive: int, edges: Sequence[tuple[int, int]], n_nodes: int):
    """The first sensitive hidden edge that is a bridge of the hidden edges, or None."""
    return next(
        (
            i
            for i in range(len(edges))
            if sensitive >> i & 1
            and hidden >> i & 1
            and not _connected(edges[i][0], edges[i][1], edges, hidden, i, n_nodes)
        ),
        None,
    )


def protect(
    hidden: int,
    sensitive: int,
    edges: Sequence[tuple[int, int]],
    weights: Sequence[float],
    n_nodes: int,
) -> int:
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
        bad = _exposed(hidden, sensitive, edges, n_nodes)
        if bad is None:
            return hidden
        start, goal = edges[bad]
        adjacency: dict[int, list[tuple[int, int]]] = {}
        for i, (u, v) in enumerate(edges):
            if i != bad:
                adjacency.setdefault(u, []).append((v, i))
                adjacency.setdefault(v, []).append((u, i))
        best: dict[int, tuple[float, tuple[int, ...]]] = {start: (0.0, ())}
        queue: list[tuple[float, tuple[int, ...], int]] = [(0.0, (), start)]
        found: tuple[int, ...] | None = None
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


def _bits(mask: int, n: int) -> np.ndarray:
    """(n,) bool of a bit mask."""
    return np.array([mask >> i & 1 for i in range(n)], dtype=bool)


class Design:
    """The released samples' groups, which are published, and the protection cache."""

    def __init__(
        self,
        samples: Sequence[Sample],
        min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
        min_allele_count: int = DEFAULT_MIN_ALLELE_COUNT,
    ):
        self.samples = list(samples)
        self.min_group_size = int(min_group_size)
        self.min_allele_count = int(min_allele_count)
        self.groups = self._groups()
        groups = self.groups
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
                g.reason = (
                    "withheld so that a smaller withheld group cannot be "
                    "recovered by subtracting published groups"
                )
            g.published = not hidden >> i & 1
        self.static_hidden = hidden
        self.static_sensitive = small
        self.n_groups = n
        self.published = [g for g in groups if g.published]
        self.published_index = np.array(
            [i for i, g in enumerate(groups) if g.published], dtype=np.intp
        )
        # Atoms: the population x sex cells; every released sample is in exactly one.
        cells = sorted({(s.population, s.sex) for s in self.samples})
        atom_of = {c: i for i, c in enumerate(cells)}
        self.sample_atom = np.array(
            [atom_of[(s.population, s.sex)] for s in self.samples], dtype=np.int64
        )
        self.atom_groups = np.zeros((len(cells), n), dtype=np.int64)
        for i, g in enumerate(groups):
            self.atom_groups[np.unique(self.sample_atom[g.members]), i] = 1
        self.sexes = np.array([s.sex for s in self.samples], dtype=object)
        self._cache: dict[bytes, np.ndarray] = {}

    def _groups(self) -> list[Group]:
        """The groups as edges of the table's graph (sets ``n_nodes``)."""
        pops = sorted({s.population for s in self.samples})
        sexes = [x for x in ("F", "M", "U") if any(s.sex == x for s in self.samples)]
        pop_arr = np.array([s.population for s in self.samples], dtype=object)
        sex_arr = np.array([s.sex for s in self.samples], dtype=object)
        p_node = {p: i for i, p in enumerate(pops)}
        row_total = len(pops)
        s_node = {x: row_total + 1 + i for i, x in enumerate(("F", "M", "U"))}
        col_total = row_total + 4
        self.n_nodes = col_total + 1

        def members(pop: str | None, sex: str | None) -> np.ndarray:
            mask = np.ones(len(self.samples), dtype=bool)
            if pop is not None:
                mask &= pop_arr == pop
            if sex is not None:
                mask &= sex_arr == sex
            return np.nonzero(mask)[0]

        groups: list[Group] = []
        if self.samples:
            groups.append(Group("all", "all", "all", members(None, None), row_total, col_total))
        groups += [Group(p, p, "all", members(p, None), p_node[p], col_total) for p in pops]
        groups += [
            Group(x, "all", x, members(None, x), row_total, s_node[x], publishable=x != "U")
            for x in sexes
        ]
        for p in pops:
            for x in ("F", "M", "U"):
                m = members(p, x)
                if m.size:
                    groups.append(
                        Group(f"{p}_{x}", p, x, m, p_node[p], s_node[x], publishable=x != "U")
                    )
        return groups

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
        static = _bits(self.static_hidden, n)
        packed = np.packbits(primary, axis=1)
        keys, inverse = np.unique(packed, axis=0, return_inverse=True)
        results = np.empty((keys.shape[0], n), dtype=bool)
        for k, key in enumerate(keys):
            raw = key.tobytes()
            hit = self._cache.get(raw)
            if hit is None:
                bits = np.unpackbits(key)[:n].astype(bool)
                mask = sum(1 << i for i in np.nonzero(bits)[0])
                hidden = protect(
                    self.static_hidden | mask,
                    self.static_sensitive | mask,
                    self.edges,
                    self.weights,
                    self.n_nodes,
                )
                hit = self._cache[raw] = _bits(hidden, n)
            results[k] = hit
        out = results[inverse.reshape(-1)]
        out |= static
        return out
