"""The arithmetic of the survey results."""

import pytest

from app.surveys.stats import question, sample, wilson_interval


def test_wilson_interval():
    assert wilson_interval(0, 0) is None
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson_interval(90, 100)
    assert (low, high) == (pytest.approx(0.8256, abs=1e-4), pytest.approx(0.9448, abs=1e-4))
    assert wilson_interval(10, 10)[1] == pytest.approx(1.0)


def test_three_percent_rule_rounds_up_exactly():
    assert sample(3, 100) == {"population": 100, "sample_share": 0.03, "sample_required": 3, "sample_valid": True}
    assert sample(3, 101)["sample_required"] == 4 and sample(3, 101)["sample_valid"] is False
    assert sample(561, 18717)["sample_valid"] is False and sample(562, 18717)["sample_valid"] is True
    assert sample(10, None)["sample_valid"] is False and sample(10, 0)["sample_share"] is None


def test_question_summary():
    result = question({5: 9, 4: 9, 1: 2})
    assert result["responses"] == 20 and result["satisfied"] == 18 and result["satisfied_share"] == 0.9
    assert result["mean"] == 4.15 and result["distribution"] == {"1": 2, "2": 0, "3": 0, "4": 9, "5": 9}
    assert question({})["mean"] is None
