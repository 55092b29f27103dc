"""The seven secondary domains (oddoneout, gan, fusion, forecast, pde, rl, causal), one shape each.

`attnbio.domains.<name>` holds the method, a `<Name>Request` dataclass (checked by its
`check()`: InputError naming the option) and `run(request, progress=None) -> <Name>Result`;
`attnbio.domains.<name>_outputs.write(result, outdir)` writes the files the command documents.
Nothing here parses options, writes to the terminal, reads the command line or sets torch
threads: the command does that (attnbio.commands.<name>) and calls these functions, which are
the Python API too::

    from attnbio.domains import fusion
    result = fusion.run(fusion.FusionRequest(steps=400, n_tau=5))
    result.rows[0]["fused_rmse"]

`progress`, if given, is called as progress(done, total) after each stage of the work.
"""


def tick(progress, done: int, total: int) -> None:
    """Tell the caller's progress callback (if any) that `done` of `total` stages are finished."""
    if progress is not None:
        progress(done, total)
