from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from shelf_sensors.alerts import StockAlerts
from shelf_sensors.quantity import QuantityEstimate, UnitModel, fits_room


@given(
    mu=st.floats(30, 2000),
    n=st.integers(1, 20),
    spread=st.floats(0.0, 0.02),
    sign=st.sampled_from([-1, 1]),
)
def test_exact_multiples_get_their_count_confidently(
    mu: float, n: int, spread: float, sign: int
) -> None:
    model = UnitModel(mu, 0.02 * mu)
    delta = sign * n * mu * (1 + spread / math.sqrt(n) * 0.5)
    est = model.estimate(delta, sigma_m=0.5, max_qty=25)
    assert est.qty == n
    assert est.matches
    assert 0 < est.confidence <= 1


@given(mu=st.floats(30, 2000), frac=st.floats(0.35, 0.65))
def test_half_units_match_nothing(mu: float, frac: float) -> None:
    est = UnitModel(mu, 0.01 * mu).estimate((3 + frac) * mu, sigma_m=0.5, max_qty=25)
    assert not est.matches


def test_learning_moves_mu_toward_observed_units_and_bounds_spread() -> None:
    model = UnitModel(100.0, 2.0)
    for _ in range(200):
        model.learn(104.0, 0.5)
    assert abs(model.mu - 104.0) < 0.1
    assert 0.005 * model.mu <= model.sigma_u <= 0.1 * model.mu


def test_out_of_stock_is_immediate_when_a_settled_count_and_the_weight_agree() -> None:
    a = StockAlerts(oos_hold_s=10)
    assert a.update(0, 100, 1, 100, 0) is None
    assert a.update(1, 20, 0, 100, 0, stable=False) is None  # a hand still on the lane
    assert a.update(1.5, 20, 0, 100, 0) == "out"
    b = StockAlerts(oos_hold_s=10)
    assert b.update(0, 60, 0, 100, 0) is None  # count 0 but over half a unit on the lane


def test_low_stock_is_debounced_and_out_of_stock_has_hysteresis() -> None:
    a = StockAlerts(low_debounce_s=3, oos_hold_s=10, clear_s=2)
    assert a.update(0, 300, 2, 100, 2) is None
    assert a.update(1, 300, 3, 100, 2) is None  # flapped back before the debounce
    assert a.update(2, 200, 2, 100, 2) is None
    assert a.update(5.1, 200, 2, 100, 2) == "low"
    assert a.update(6, 20, 1, 100, 2) is None  # the weight says empty, the count does not
    assert a.update(16.1, 20, 1, 100, 2) == "out"  # …so out of stock waits oos_hold_s
    assert a.update(17, 70, 0, 100, 2) is None  # above 0.5μ but under the 0.8μ clear level
    assert a.update(20, 90, 0, 100, 2, stable=False) is None  # a hand on the lane
    assert a.update(21, 90, 0, 100, 2) is None  # weight alone (no count): clear_s
    assert a.update(23.5, 90, 0, 100, 2) == "low"


def test_a_counted_put_clears_out_of_stock_at_once() -> None:
    """``mixed`` 11003 L6: a unit put on an empty lane and taken 2 s later. Waiting 2 s of
    stable weight, the lane never left out of stock and the second empty had no line;
    a settled put that counted units agrees with the weight, as a pick does for going out."""
    a = StockAlerts(oos_hold_s=10, clear_s=2)
    assert a.update(0, 100, 1, 100, 0) is None
    assert a.update(1, 10, 0, 100, 0) == "out"
    assert a.update(2, 100, 0, 100, 0, stable=False) is None  # the hand puts one back
    assert a.update(3, 100, 1, 100, 0) == "ok"  # settled and counted: at once
    assert a.update(4, 10, 0, 100, 0) == "out"  # taken again: its own line


def test_a_first_load_that_agrees_with_the_nominal_weight_narrows_the_mean() -> None:
    """Before any single unit is learned, a 7-unit explanation of 7.3 units' weight rested
    on var μ̂ = σu² (the nominal as one unit); a first load of 20 units within 3 σ of the
    nominal is evidence for it, and 0.3 μ off 7 units is no count (0258, 0266)."""
    model = UnitModel(32.7, 0.654)
    assert model.estimate(7.3 * 32.7, 0.5, 30, 3.5, 6.54, 13.08).matches
    model.confirm_load(20, 1.5, 0.5)
    assert not model.estimate(7.3 * 32.7, 0.5, 30, 3.5, 6.54, 13.08).matches
    wrong = UnitModel(32.7, 0.654)
    wrong.confirm_load(20, 12.0, 0.5)  # 12 g (4 σ) off 20 units: the nominal is no such mean
    assert wrong.estimate(7.3 * 32.7, 0.5, 30, 3.5, 6.54, 13.08).matches


def test_a_first_load_just_past_two_sigma_still_agrees() -> None:
    """``mixed`` 10004 L6: 25 units 2.04 σ over 25 × 104.3 g (their mean 105.1 g). At 2 σ
    the load was no evidence and a 1,008 g object read as 10 units; 3 σ refuses one good
    load in 370 instead of one in 22 (0266)."""
    model = UnitModel(104.3, 2.086)
    model.confirm_load(25, 21.3, 1.2)
    assert model.loaded == 25
    assert not model.estimate(1007.9, 1.2, 30, 3.5, 20.9, 41.7).matches


def test_a_restock_off_a_spread_learned_from_few_units_is_a_count_not_foreign() -> None:
    """``multi`` dev seed 4002, lane of 390.5 g: μ̂ 393.9 g and σu 2.1 % learned from 19
    single units (true spread 3 %); a clerk sets down 7 units weighing 2,671.4 g, z −3.54
    against the learned spread. σu² rests on some 39 units, so the residual is Student-t,
    not normal: at the same tail as 3.5 σ the limit is ≈3.8, and the put is a count."""
    model = UnitModel(393.86, 0.0214 * 393.86)
    model.learned, model.loaded, model.independent = 19, 20, 19
    est = model.estimate(2671.4, 0.5, 45, 3.5, 78.8, 157.5)
    assert est.qty == 7
    assert -3.6 < est.z < -3.5
    assert est.matches


def test_a_unit_put_back_and_weighed_again_is_no_new_evidence_for_the_spread() -> None:
    """A pick put back is the same unit weighed twice: the spread rests on one unit, not
    two, so the Student-t limit stays wider than for as many distinct units."""
    model = UnitModel(100.0, 2.0)
    for _ in range(10):
        model.learn(101.0, 0.5)  # picked and put back, again and again
        model.learn(101.2, 0.5)
    distinct = UnitModel(100.0, 2.0)
    for i in range(20):
        distinct.learn(96.0 + 4.0 * (i % 3), 0.5)  # 4 g apart: σm is 0.5 g
    assert (model.learned, model.independent) == (20, 1)
    assert (distinct.learned, distinct.independent) == (20, 20)
    assert model.dof < distinct.dof == 39


def test_a_put_past_capacity_needs_a_tight_fit_and_no_more_than_the_lane_holds() -> None:
    def est(qty: int, z: float) -> QuantityEstimate:
        return QuantityEstimate(qty=qty, confidence=0.99, z=z, matches=True, fits=True)

    assert fits_room(est(38, 3.0), count=2, capacity=40, overfill_z=2.0)  # to capacity: z ok
    assert fits_room(est(3, 1.5), count=39, capacity=40, overfill_z=2.0)  # 42: a miscount
    assert not fits_room(est(3, 2.5), count=39, capacity=40, overfill_z=2.0)  # loose fit
    assert not fits_room(est(41, 0.1), count=2, capacity=40, overfill_z=2.0)  # > capacity
    assert not fits_room(est(6, 0.0), count=39, capacity=40, overfill_z=2.0)  # 45 > 40 + 4
