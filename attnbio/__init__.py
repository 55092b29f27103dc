"""attnbio: what attention models learn about biological sequences and structures.

The Python API (numpydoc docstrings on each function; see README.md "Python API"):

- find_motifs(positives, negatives=None, model=None, seed=0, ...) -> MotifResult
- analyze_proteins(...) and refine_structure(...): the protein and refine commands as functions

They are loaded on first use, so `import attnbio` (and `attnbio --help`) stays fast.
"""

__version__ = "0.1.0"

_API = ("find_motifs", "MotifResult", "analyze_proteins", "refine_structure")
__all__ = ["__version__", *_API]


def __getattr__(name):
    # PEP 562: the API module (and the torch/pandas it needs) is imported on first access.
    if name in _API:
        from attnbio import api

        return getattr(api, name)
    raise AttributeError(f"module 'attnbio' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_API))
