"""benchmarks/motifs_ceiling.py: the truth features flag a planted pair only at its spacing."""
import sys
from pathlib import Path

import numpy as np

from attnbio.motifs.simulate import GrammarSimConfig, simulate_grammar

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))


def test_pair_flag_marks_positives_with_the_planted_spacing_and_the_oracle_separates_them():
    from motifs_ceiling import oracle_auroc, oracle_features

    cfg = GrammarSimConfig(n_sequences=400, n_pairs=1, n_singles=0, n_decoys=0, pair_rate_pos=1.0,
                           pair_random_neg=1.0, pair_alone_neg=0.0, seed=3)
    data = simulate_grammar(cfg)
    x, y = oracle_features(data)
    flag = x[:, -1]                       # the one pair's column
    assert flag[y == 1].mean() > 0.95     # every positive carries the pair at its spacing
    assert flag[y == 0].mean() < 0.05     # negatives carry it at other spacings
    assert np.all(x[:, :2].sum(axis=1) >= 1)
    assert oracle_auroc(data) > 0.95
