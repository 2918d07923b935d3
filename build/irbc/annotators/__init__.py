"""Annotators: the concept codebook, the lexicon tagger, curated layers, stances and agreement. Importing this
package registers every annotator, in the order the annotate stage runs them."""

from irbc.annotators import curated, lexicon, reviews, second_pass, stances  # noqa: F401  (lexicon runs first)
from irbc.annotators.registry import registered

__all__ = ["registered"]
