"""Annotators: the concept codebook, the lexicon tagger, curated layers, stances and agreement. Importing this
package registers every annotator, in the order the annotate stage runs them."""

from irbc.annotators import curated, lexicon, stances  # noqa: F401  (registration order: lexicon first)
from irbc.annotators.registry import registered

__all__ = ["registered"]
