"""IR Balancing Corpus: build, annotate, validate and publish the dataset."""

__version__ = "0.1.0"
DATASET_VERSION = "0.1.0"
