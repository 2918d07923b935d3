"""The concept codebook is validated data."""

from __future__ import annotations

import copy

import pytest
import yaml

from irbc.annotators.codebook import load_codebook, validate_codebook
from irbc.core.errors import InputError
from irbc.core.schema import schema_dir, validate_input

FIXED_IDS = [
    "balancing",
    "hard_balancing",
    "soft_balancing",
    "internal_balancing",
    "external_balancing",
    "institutional_balancing",
    "negative_balancing",
    "positive_balancing",
    "bandwagoning",
    "hedging",
    "buck_passing",
    "chain_ganging",
    "accommodation",
    "distancing",
    "strategic_noncooperation",
    "containment",
    "balance_of_power",
    "balance_of_threat",
    "anarchy",
    "unipolarity",
    "bipolarity",
    "multipolarity",
    "hegemony",
    "power_transition",
    "great_power",
    "secondary_power",
    "security_dilemma",
    "sphere_of_influence",
    "underbalancing",
    "threat_perception",
    "realism",
    "classical_realism",
    "neorealism",
    "offensive_realism",
    "defensive_realism",
    "neoclassical_realism",
    "balanced_realism",
    "liberalism",
    "constructivism",
    "soft_power",
    "sharp_power",
    "hard_power",
    "economic_statecraft",
    "strategic_restraint",
    "power_maximization",
    "unilateralism",
    "multilateralism",
    "economic_interdependence",
    "alliance",
    "alignment",
    "strategic_partnership",
    "axis_of_convenience",
    "liberal_international_order",
    "geopolitics",
]


@pytest.fixture()
def data():
    return yaml.safe_load((schema_dir() / "codebook.yaml").read_text(encoding="utf-8"))


def test_real_codebook_is_valid_and_has_the_fixed_inventory():
    cb = load_codebook(schema_dir() / "codebook.yaml")
    assert set(FIXED_IDS) <= cb.ids
    assert cb.form_to_concept["soft balancing"] == "soft_balancing"
    assert cb.form_to_concept["balance of power"] == "balance_of_power"


def test_duplicate_id_rejected(data):
    bad = copy.deepcopy(data)
    dup = copy.deepcopy(bad["concepts"][0])
    dup["surface_forms"] = ["zzz unique form"]
    bad["concepts"].append(dup)
    with pytest.raises(InputError, match="duplicate concept id"):
        validate_codebook(bad, "codebook.yaml")


def test_overlapping_surface_form_rejected(data):
    bad = copy.deepcopy(data)
    other = next(c for c in bad["concepts"] if c["concept_id"] == "hedging")
    other["surface_forms"].append("soft balancing")
    with pytest.raises(InputError, match="claimed by both"):
        validate_codebook(bad, "codebook.yaml")


def test_dangling_broader_rejected(data):
    bad = copy.deepcopy(data)
    bad["concepts"][0]["broader"] = ["no_such_concept"]
    with pytest.raises(InputError, match="unknown broader concept 'no_such_concept'"):
        validate_codebook(bad, "codebook.yaml")


def test_broader_cycle_rejected(data):
    bad = copy.deepcopy(data)
    by_id = {c["concept_id"]: c for c in bad["concepts"]}
    by_id["balancing"]["broader"] = ["soft_balancing"]
    with pytest.raises(InputError, match="cycle"):
        validate_codebook(bad, "codebook.yaml")


def test_schema_rejects_unknown_facet_and_upper_case_form(data):
    bad = copy.deepcopy(data)
    bad["concepts"][0]["facet"] = "vibes"
    with pytest.raises(InputError, match="facet"):
        validate_input("codebook", bad, "codebook.yaml")
    bad = copy.deepcopy(data)
    bad["concepts"][0]["surface_forms"] = ["Balancing"]
    with pytest.raises(InputError, match="surface_forms"):
        validate_input("codebook", bad, "codebook.yaml")
