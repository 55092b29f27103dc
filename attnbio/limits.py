"""Input sizes the commands accept, checked before any model runs (README "Sizes").

Attention maps, contact maps and pair representations grow with the square of the length;
these limits keep peak memory near what benchmarks/memory_limits.py measures at the limit
(a few GiB), and a run beyond them is refused at once with one line saying what to do, instead
of dying with "can't allocate memory" minutes later.
"""
from __future__ import annotations

from attnbio.errors import InputError

PROTEIN_MAX_RESIDUES = 2000        # per protein (FASTA record or structure chain)
PROTEIN_MAX_TOTAL = 20000          # all proteins of one run (their maps are kept until written)
REFINE_MAX_RESIDUES = 1000         # all chains of one refine run together (one pair representation)
FASTA_MAX_BASES = 300_000_000      # one DNA record (the longest human chromosome is 248 Mbp)


def check_proteins(proteins) -> None:
    """InputError for a protein over PROTEIN_MAX_RESIDUES or a run over PROTEIN_MAX_TOTAL."""
    for p in proteins:
        if len(p.sequence) > PROTEIN_MAX_RESIDUES:
            raise InputError(f"{p.source}: protein {p.id[:60]!r} has {len(p.sequence)} residues; attnbio protein "
                             f"takes at most {PROTEIN_MAX_RESIDUES} per protein (memory grows with the square "
                             f"of the length): split the record into domains, or pick chains with --chain")
    total = sum(len(p.sequence) for p in proteins)
    if total > PROTEIN_MAX_TOTAL:
        raise InputError(f"{len(proteins)} proteins with {total} residues in all; attnbio protein takes at most "
                         f"{PROTEIN_MAX_TOTAL} residues per run: split the inputs over several runs")


def check_refine(n_residues: int, n_chains: int, where: str) -> None:
    """InputError for a refine input over REFINE_MAX_RESIDUES (all chains together)."""
    if n_residues > REFINE_MAX_RESIDUES:
        raise InputError(f"{where}: {n_residues} residues in {n_chains} chain(s); attnbio refine takes at most "
                         f"{REFINE_MAX_RESIDUES} residues in one run (the pair representation grows with the "
                         f"square of the length; --chunk-size lowers only the triangle layers' share): "
                         f"refine fewer chains with --chain")
