"""Simulated genotypes for the kinship and relatedness tests: haplotypes drawn from allele
frequencies, Mendelian transmission, and pedigree kinship to compare against."""

import numpy as np


# --------------------------------------------------------------------------- #
# Simulation: haplotypes drawn from allele frequencies, Mendelian transmission
# with every site independent (no linkage), so pedigree kinship is the
# expectation of the realised kinship.
# --------------------------------------------------------------------------- #
def founder(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """(2, n_sites) bool haplotypes of an unrelated individual (True = ALT)."""
    return rng.random((2, p.size)) < p


def gamete(rng: np.random.Generator, haps: np.ndarray) -> np.ndarray:
    """One transmitted haplotype: a random parental allele at every site."""
    pick = rng.integers(0, 2, haps.shape[1])
    return np.where(pick == 0, haps[0], haps[1])


def child(rng: np.random.Generator, mother: np.ndarray, father: np.ndarray) -> np.ndarray:
    return np.stack([gamete(rng, mother), gamete(rng, father)])


def dosage(haps: np.ndarray) -> np.ndarray:
    return haps.sum(axis=0).astype(np.int8)


class Pedigree:
    """Individuals with parents, genotypes and exact pedigree kinship."""

    def __init__(self, rng: np.random.Generator, p: np.ndarray):
        self.rng, self.p = rng, p
        self.names: list[str] = []
        self.haps: list[np.ndarray] = []
        self.parents: list[tuple[int, int] | None] = []
        self.same_as: list[int | None] = []

    def _add(self, name, haps, parents=None, same_as=None) -> int:
        self.names.append(name)
        self.haps.append(haps)
        self.parents.append(parents)
        self.same_as.append(same_as)
        return len(self.names) - 1

    def founder(self, name: str) -> int:
        return self._add(name, founder(self.rng, self.p))

    def child(self, name: str, mother: int, father: int) -> int:
        return self._add(
            name, child(self.rng, self.haps[mother], self.haps[father]), parents=(mother, father)
        )

    def duplicate(self, name: str, of: int) -> int:
        return self._add(name, self.haps[of].copy(), same_as=of)

    def genotypes(self) -> np.ndarray:
        return np.stack([dosage(h) for h in self.haps])

    def kinship(self) -> np.ndarray:
        """Pedigree kinship by the standard recursion (individuals in birth order)."""
        n = len(self.names)
        phi = np.zeros((n, n))
        for i in range(n):
            if self.same_as[i] is not None:
                o = self.same_as[i]
                phi[i, :i] = phi[o, :i]
                phi[:i, i] = phi[:i, o]
                phi[i, i] = phi[o, o]
                continue
            par = self.parents[i]
            phi[i, i] = 0.5 if par is None else 0.5 * (1 + phi[par[0], par[1]])
            for j in range(i):
                phi[i, j] = phi[j, i] = (
                    0.0 if par is None else 0.5 * (phi[par[0], j] + phi[par[1], j])
                )
        return phi
