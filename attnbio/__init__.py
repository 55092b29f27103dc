"""attnbio: what attention models learn about biological sequences and structures."""

__version__ = "0.1.0"
