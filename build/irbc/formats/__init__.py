"""Annotation formats: exporters that write a release's mentions and stance evidence for the tools annotators
use (brat, W3C Web Annotation, UIMA CAS XMI for INCEpTION, spaCy DocBin, Label Studio) and importers that turn
corrected files back into changes of the curated review files. Each format is one module, registered in
``registry``."""
