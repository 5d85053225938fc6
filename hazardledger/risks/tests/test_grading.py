"""Grading reproduces the worked cases of domain.md 0.1 exactly and refuses off-scale values."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from hazardledger.risks.choices import DangerClass, RiskGrade
from hazardledger.risks.constants import (
    LEC_CONSEQUENCE_CLASSIC,
    LEC_DANGER_BANDS,
    LEC_EXPOSURE,
    LEC_GRADE_BANDS,
    LEC_LIKELIHOOD,
)
from hazardledger.risks.grading import (
    InvalidFactor,
    assess,
    band_for,
    format_number,
    lec_assess,
    matrix_assess,
)


@pytest.mark.parametrize(
    ("l", "e", "c", "value", "grade", "colour"),
    [
        (6, 6, 3, 108, RiskGrade.GENERAL, "yellow"),
        (6, 6, 7, 252, RiskGrade.LARGE, "orange"),
        (10, 1, 7, 70, RiskGrade.GENERAL, "yellow"),  # on the boundary: lower bound inclusive
        (3, 6, 40, 720, RiskGrade.MAJOR, "red"),
        (1, 6, 7, 42, RiskGrade.LOW, "blue"),
    ],
)
def test_lec_worked_cases(l, e, c, value, grade, colour):  # noqa: E741
    result = lec_assess(l, e, c)
    assert result.value == Decimal(value)
    assert result.grade == grade
    assert result.colour == colour
    assert result.method == "lec"
    assert (result.threshold_set, result.threshold_version) == ("classic", 1)
    assert result.factors == {"l": Decimal(l), "e": Decimal(e), "c": Decimal(c)}


def test_lec_refuses_l_4_with_a_clear_message():
    with translation.override("en"), pytest.raises(InvalidFactor) as info:
        lec_assess(4, 6, 7)
    assert info.value.factor == "l"
    assert str(info.value.message) == (
        "4 is not on the L (likelihood) scale. Allowed values: 10, 6, 3, 1, 0.5, 0.2, 0.1."
    )


@pytest.mark.parametrize(
    ("l", "e", "c", "value", "grade", "danger"),
    [
        # D exactly on each boundary belongs to the band above it (lower bound inclusive).
        (10, 2, 100, 2000, RiskGrade.MAJOR, DangerClass.EXTREME),
        (Decimal("0.5"), 6, 100, 300, RiskGrade.LARGE, DangerClass.HIGH),
        (1, 10, 40, 400, RiskGrade.MAJOR, DangerClass.EXTREME),
        (10, 2, 15, 300, RiskGrade.LARGE, DangerClass.HIGH),
        (1, 2, 100, 200, RiskGrade.LARGE, DangerClass.HIGH),
        (10, 1, 15, 150, RiskGrade.GENERAL, DangerClass.SIGNIFICANT),
        (1, 2, 15, 30, RiskGrade.LOW, DangerClass.SOME),
        (1, 1, 15, 15, RiskGrade.LOW, DangerClass.SLIGHT),
        (Decimal("0.1"), Decimal("0.5"), 1, Decimal("0.05"), RiskGrade.LOW, DangerClass.SLIGHT),
        ("0.2", "10", "100", 200, RiskGrade.LARGE, DangerClass.HIGH),
        (1, 2, 40, 80, RiskGrade.GENERAL, DangerClass.SIGNIFICANT),
        (Decimal("0.5"), 2, 7, 7, RiskGrade.LOW, DangerClass.SLIGHT),
    ],
)
def test_lec_grades_and_danger_classes(l, e, c, value, grade, danger):  # noqa: E741
    result = lec_assess(l, e, c)
    assert result.value == Decimal(value)
    assert (result.grade, result.danger_class) == (grade, danger)


def test_lec_bands_at_boundaries_unreachable_on_the_classic_scales():
    # D = 320 and D = 160 are not products of the classic scales; the bands still decide them.
    assert band_for(Decimal(320), LEC_GRADE_BANDS) == RiskGrade.MAJOR
    assert band_for(Decimal("319.999"), LEC_GRADE_BANDS) == RiskGrade.LARGE
    assert band_for(Decimal(160), LEC_GRADE_BANDS) == RiskGrade.LARGE
    assert band_for(Decimal("159.999"), LEC_GRADE_BANDS) == RiskGrade.GENERAL
    assert band_for(Decimal(70), LEC_GRADE_BANDS) == RiskGrade.GENERAL
    assert band_for(Decimal("69.999"), LEC_GRADE_BANDS) == RiskGrade.LOW
    assert band_for(Decimal(20), LEC_DANGER_BANDS) == DangerClass.SOME
    assert band_for(Decimal("19.999"), LEC_DANGER_BANDS) == DangerClass.SLIGHT


def test_lec_danger_class_boundary_20_is_some_danger():
    result = lec_assess(10, 2, 1)
    assert (result.value, result.grade, result.danger_class) == (20, "low", DangerClass.SOME)


@pytest.mark.parametrize(
    ("threshold_set", "l", "s", "value", "grade", "colour"),
    [
        ("A", 3, 3, 9, RiskGrade.LARGE, "orange"),
        ("B", 3, 3, 9, RiskGrade.GENERAL, "yellow"),
        ("A", 2, 4, 8, RiskGrade.GENERAL, "yellow"),
        ("A", 4, 5, 20, RiskGrade.MAJOR, "red"),
        ("A", 1, 3, 3, RiskGrade.LOW, "blue"),
        # the other boundaries of both sets
        ("A", 5, 5, 25, RiskGrade.MAJOR, "red"),
        ("A", 4, 4, 16, RiskGrade.LARGE, "orange"),
        ("A", 1, 4, 4, RiskGrade.GENERAL, "yellow"),
        ("A", 1, 1, 1, RiskGrade.LOW, "blue"),
        ("B", 4, 5, 20, RiskGrade.MAJOR, "red"),
        ("B", 4, 4, 16, RiskGrade.LARGE, "orange"),
        ("B", 2, 5, 10, RiskGrade.LARGE, "orange"),
        ("B", 2, 2, 4, RiskGrade.GENERAL, "yellow"),
        ("B", 1, 3, 3, RiskGrade.LOW, "blue"),
    ],
)
def test_matrix_worked_cases_and_boundaries(threshold_set, l, s, value, grade, colour):  # noqa: E741
    result = matrix_assess(l, s, threshold_set)
    assert result.value == Decimal(value)
    assert (result.grade, result.colour) == (grade, colour)
    assert (result.threshold_set, result.threshold_version) == (threshold_set, 1)
    assert result.factors == {"l": Decimal(l), "s": Decimal(s)}
    assert result.danger_class == ""


@pytest.mark.parametrize(
    ("call", "factor"),
    [
        (lambda: lec_assess(4, 6, 7), "l"),
        (lambda: lec_assess(6, 4, 7), "e"),
        (lambda: lec_assess(6, 6, 10), "c"),
        (lambda: lec_assess(0, 6, 7), "l"),
        (lambda: lec_assess(-6, 6, 7), "l"),
        (lambda: lec_assess(6, "abc", 7), "e"),
        (lambda: lec_assess(6, 6, None), "c"),
        (lambda: lec_assess(6, 6, "nan"), "c"),
        (lambda: lec_assess(6, 6, 7, "money"), "scale_set"),
        (lambda: matrix_assess(0, 3), "l"),
        (lambda: matrix_assess(6, 3), "l"),
        (lambda: matrix_assess(3, "2.5"), "s"),
        (lambda: matrix_assess(3, True), "s"),
        (lambda: matrix_assess(3, 3, "C"), "threshold_set"),
        (lambda: assess("hazop", l=1), "method"),
    ],
)
def test_off_scale_values_are_refused(call, factor):
    with pytest.raises(InvalidFactor) as info:
        call()
    assert info.value.factor == factor
    assert str(info.value.message)


def test_messages_are_translated():
    with translation.override("zh-hans"), pytest.raises(InvalidFactor) as info:
        lec_assess(4, 6, 7)
    assert "10, 6, 3, 1, 0.5, 0.2, 0.1" in str(info.value.message)


def test_equal_numbers_in_other_spellings_are_accepted():
    assert lec_assess("6.0", 6.0, Decimal("7.00")).value == 252
    assert lec_assess(0.1, 0.5, 1).value == Decimal("0.05")


def test_scales_are_exactly_those_of_the_domain_brief():
    def values(steps):
        return [format_number(step.value) for step in steps]

    assert values(LEC_LIKELIHOOD) == ["10", "6", "3", "1", "0.5", "0.2", "0.1"]
    assert values(LEC_EXPOSURE) == ["10", "6", "3", "2", "1", "0.5"]
    assert values(LEC_CONSEQUENCE_CLASSIC) == ["100", "40", "15", "7", "3", "1"]


def test_assess_dispatches_by_method():
    assert assess("lec", l=6, e=6, c=7).grade == RiskGrade.LARGE
    assert assess("matrix", l=3, s=3, threshold_set="B").grade == RiskGrade.GENERAL
    assert assess("matrix", l=3, s=3).grade == RiskGrade.LARGE  # set A is the default


def test_format_number():
    assert format_number(Decimal("70.000")) == "70"
    assert format_number(Decimal("0.050")) == "0.05"
    assert format_number(Decimal("7E+1")) == "70"
    assert format_number(None) == ""
