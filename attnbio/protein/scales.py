"""Per-residue physicochemical descriptors and the pair features f(i, j) that name a head's lens.

Scales: Kyte-Doolittle hydropathy (Kyte & Doolittle 1982, J Mol Biol 157:105; values from
Biopython's ProtParamData.kd), side-chain volume (Zamyatnin 1972, Prog Biophys Mol Biol 24:107),
Grantham polarity (Grantham 1974, Science 185:862), formal charge at pH 7 and aromaticity.

Residue classes used by the pair features (one-letter codes):
- hydrophobic: Kyte-Doolittle > 0 (A C F I L M V)
- positive: K R; negative: D E (histidine is counted neutral at pH 7)
- aromatic: F W Y
- polar: uncharged polar side chains S T N Q
- cysteine: C (disulfide bridges)
"""
from __future__ import annotations

import numpy as np

AMINO_ACIDS = "ACDEFGHIKLMNPQRSTVWY"
KYTE_DOOLITTLE = {"A": 1.8, "R": -4.5, "N": -3.5, "D": -3.5, "C": 2.5, "Q": -3.5, "E": -3.5,
                  "G": -0.4, "H": -3.2, "I": 4.5, "L": 3.8, "K": -3.9, "M": 1.9, "F": 2.8,
                  "P": -1.6, "S": -0.8, "T": -0.7, "W": -0.9, "Y": -1.3, "V": 4.2}
VOLUME = {"A": 88.6, "R": 173.4, "N": 114.1, "D": 111.1, "C": 108.5, "Q": 143.8, "E": 138.4,
          "G": 60.1, "H": 153.2, "I": 166.7, "L": 166.7, "K": 168.6, "M": 162.9, "F": 189.9,
          "P": 112.7, "S": 89.0, "T": 116.1, "W": 227.8, "Y": 193.6, "V": 140.0}  # A^3
POLARITY = {"A": 8.1, "R": 10.5, "N": 11.6, "D": 13.0, "C": 5.5, "Q": 10.5, "E": 12.3,
            "G": 9.0, "H": 10.4, "I": 5.2, "L": 4.9, "K": 11.3, "M": 5.7, "F": 5.2,
            "P": 8.0, "S": 9.2, "T": 8.6, "W": 5.4, "Y": 6.2, "V": 5.9}
CHARGE = {"K": 1.0, "R": 1.0, "D": -1.0, "E": -1.0}
HYDROPHOBIC = frozenset(a for a, v in KYTE_DOOLITTLE.items() if v > 0)
POSITIVE = frozenset("KR")
NEGATIVE = frozenset("DE")
AROMATIC = frozenset("FWY")
POLAR = frozenset("STNQ")

# Pair features computable from sequence alone (the physicochemical lenses) ...
SEQUENCE_FEATURES = ("hydrophobic", "opposite_charge", "like_charge", "aromatic", "polar",
                     "cysteine")
# ... and the ones that need a structure.
STRUCTURE_FEATURES = ("contact", "same_ss")
CONTACT_CB_DISTANCE = 8.0  # A, CB-CB (virtual CB for glycine), as in CASP


def residue_descriptors(sequence: str) -> dict[str, np.ndarray]:
    """Per-residue scales for a one-letter sequence: name -> (L,) float64 (NaN for X)."""
    seq = sequence.upper()

    def scale(table, default=np.nan):
        return np.array([table.get(a, default) for a in seq], dtype=np.float64)

    return {
        "hydropathy": scale(KYTE_DOOLITTLE),
        "charge": np.array([CHARGE.get(a, 0.0) for a in seq]),
        "polarity": scale(POLARITY),
        "aromatic": np.array([a in AROMATIC for a in seq], dtype=np.float64),
        "volume": scale(VOLUME),
    }


def _member(seq: str, group) -> np.ndarray:
    return np.array([a in group for a in seq], dtype=bool)


def pair_features(sequence: str, cb: np.ndarray | None = None, ss: str | None = None
                  ) -> dict[str, np.ndarray]:
    """Boolean pair features f(i, j) for one chain: name -> (L, L) bool, symmetric.

    Always the SEQUENCE_FEATURES; with cb ((L, 3) A, NaN allowed) also `contact` (CB-CB < 8 A);
    with ss (3-state string, H E -) also `same_ss` (both residues in the same helix or strand
    state; coil pairs do not count).
    """
    seq = sequence.upper()
    hyd, pos, neg = _member(seq, HYDROPHOBIC), _member(seq, POSITIVE), _member(seq, NEGATIVE)
    aro, pol, cys = _member(seq, AROMATIC), _member(seq, POLAR), _member(seq, "C")

    def both(m):
        return m[:, None] & m[None, :]

    out = {
        "hydrophobic": both(hyd),
        "opposite_charge": (pos[:, None] & neg[None, :]) | (neg[:, None] & pos[None, :]),
        "like_charge": both(pos) | both(neg),
        "aromatic": both(aro),
        "polar": both(pol),
        "cysteine": both(cys),
    }
    if cb is not None:
        out["contact"] = contact_map(cb)
    if ss is not None:
        s = np.array(list(ss.upper()))
        if len(s) != len(seq):
            raise ValueError(f"secondary structure has {len(s)} states for {len(seq)} residues")
        out["same_ss"] = (s[:, None] == s[None, :]) & np.isin(s, ["H", "E"])[:, None]
    return out


def contact_map(cb: np.ndarray, cutoff: float = CONTACT_CB_DISTANCE) -> np.ndarray:
    """CB-CB contacts: (L, 3) A -> (L, L) bool; pairs with a missing CB are False."""
    d = np.linalg.norm(cb[:, None, :] - cb[None, :, :], axis=-1)
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(d, nan=np.inf) < cutoff


def kd_pair_score(sequence: str) -> np.ndarray:
    """Baseline contact score kd_i + kd_j (Kyte-Doolittle sum): (L, L) float64, X scores 0."""
    kd = np.array([KYTE_DOOLITTLE.get(a, 0.0) for a in sequence.upper()])
    return kd[:, None] + kd[None, :]
