"""Benchmark: attention heat step vs the FTCS stencil (baseline) on the same grid and start.

Prints, per r = alpha dt/dx^2: fitted beta, kernel variance (target 2r), worst relative error
vs the analytic solution over 500 steps, and growth of max|u| over a 2000-step rollout.
"""
import torch

from attnbio.domains.pde import run_pde


def main():
    torch.set_num_threads(1)
    res = run_pde(ratios=(0.1, 0.25, 0.4, 0.5, 0.6, 1.0, 2.0), n_cells=64, n_steps=2000, seed=0)
    print("r\tbeta\tvar_attn\tvar_target\terr_ftcs\terr_attn\tgrowth_ftcs\tgrowth_attn")
    for fit, stab in zip(res.fits, res.stability):
        errs = [e for e in res.errors if e["r"] == fit["r"]]
        e_f = max(e["rel_error_ftcs"] for e in errs)
        e_a = max(e["rel_error_attention"] for e in errs)
        print(f"{fit['r']:g}\t{fit['beta']:.4f}\t{fit['attention_variance']:.4f}\t{2 * fit['r']:.4f}\t"
              f"{e_f:.3g}\t{e_a:.3g}\t{stab['growth_ftcs']:.3g}\t{stab['growth_attention']:.3g}")


if __name__ == "__main__":
    main()
