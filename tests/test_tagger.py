"""The lexicon tagger on hand-made sentences: false friends, specific-over-generic, boundaries, offsets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from irbc.annotators.anchoring import anchor
from irbc.annotators.codebook import load_codebook
from irbc.annotators.lexicon import Tagger, fold
from irbc.core.errors import InputError
from irbc.core.schema import schema_dir


@pytest.fixture(scope="module")
def tagger():
    return Tagger(load_codebook(schema_dir() / "codebook.yaml"))


def tags(tagger, text):
    return [(text[s:e], c) for s, e, c in tagger.tag(text)]


def test_specific_over_generic(tagger):
    assert tags(tagger, "They practised soft balancing.") == [("soft balancing", "soft_balancing")]
    assert tags(tagger, "Institutional balancing is a type.") == [
        ("Institutional balancing", "institutional_balancing")
    ]


def test_balance_of_power_is_not_balancing(tagger):
    assert tags(tagger, "the balance of power in Europe") == [("balance of power", "balance_of_power")]


def test_false_friends_are_not_tagged(tagger):
    assert tags(tagger, "They took a balanced approach to liberal democracies.") == []


def test_balanced_realism_is_its_own_theory(tagger):
    assert tags(tagger, "Balanced Realism offers a new perspective") == [
        ("Balanced Realism", "balanced_realism")
    ]


def test_case_insensitive_and_word_bounded(tagger):
    assert tags(tagger, "BANDWAGONING, bandwagoning") == [
        ("BANDWAGONING", "bandwagoning"),
        ("bandwagoning", "bandwagoning"),
    ]
    assert tags(tagger, "unbalancingly rebandwagoninged") == []


def test_offsets_inside_a_window(tagger):
    text = "xx hedging yy hedging"
    assert tagger.tag(text, 5, len(text)) == [(14, 21, "hedging")]


def test_fold_keeps_length():
    s = "İstanbul ǅ ß ΣΑΣ"
    assert len(fold(s)) == len(s)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abc soft balancing İ\u00a0\u0301ẞ-")), max_size=80))
def test_tagger_spans_match_surface(tagger, text):
    for s, e, cid in tagger.tag(text):
        assert 0 <= s < e <= len(text)
        assert fold(text[s:e]) in {f for f, c in tagger_forms(tagger).items() if c == cid}


def tagger_forms(tagger):
    return load_codebook(schema_dir() / "codebook.yaml").form_to_concept


def test_anchor_found_missing_ambiguous():
    text = "alpha beta gamma beta"
    assert anchor(text, "gamma", None, "f.yaml", 3) == (11, 16)
    with pytest.raises(InputError, match=r"f\.yaml:line 3: quote not found"):
        anchor(text, "delta", None, "f.yaml", 3)
    with pytest.raises(InputError, match="found 2 times; add `occurrence`"):
        anchor(text, "beta", None, "f.yaml", 4)
    assert anchor(text, "beta", 2, "f.yaml", 4) == (17, 21)
    with pytest.raises(InputError, match="occurrence 3 requested"):
        anchor(text, "beta", 3, "f.yaml", 4)


def test_cohen_kappa_on_hand_computed_examples():
    from irbc.annotators.agreement import cohen_kappa

    # 10 items, 7 agreements; marginals a: 5 favor / 5 none, b: 4 favor / 6 none -> p_e = 0.5, kappa = 0.4
    a = ["favor"] * 5 + ["none"] * 5
    b = ["favor"] * 3 + ["none"] * 2 + ["favor"] + ["none"] * 4
    assert abs(cohen_kappa(a, b) - 0.4) < 1e-12
    assert cohen_kappa(["favor", "none"], ["favor", "none"]) == 1.0
    assert cohen_kappa(["none", "none"], ["none", "none"]) is None  # chance agreement is 1
    with pytest.raises(ValueError):
        cohen_kappa(["favor"], [])
