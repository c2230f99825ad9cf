"""Confirmation across frames, debounce and rescan after the code left the view."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.scanner.confirm import Confirmer

FRAME = 1 / 15


def run(confirmer: Confirmer, frames: list[list[str]], start: float = 0.0) -> list[str]:
    accepted: list[str] = []
    for i, keys in enumerate(frames):
        accepted += confirmer.observe(start + i * FRAME, keys)
    return accepted


def test_one_frame_is_not_enough() -> None:
    assert run(Confirmer(confirm_frames=2), [["A"], [], [], []]) == []


def test_two_frames_confirm_and_a_held_item_is_accepted_once_within_debounce() -> None:
    assert run(Confirmer(confirm_frames=2, debounce_s=1.5), [["A"]] * 20) == ["A"]


def test_held_item_is_accepted_once_by_default_however_long() -> None:
    assert run(Confirmer(confirm_frames=2), [["A"]] * 150) == ["A"]  # 10 s in view


def test_hold_to_repeat_when_debounce_is_set() -> None:
    accepted = run(Confirmer(confirm_frames=2, debounce_s=1.0), [["A"]] * 30)  # 2 s in view
    assert accepted == ["A", "A"]


def test_code_that_left_the_view_is_a_new_scan_even_within_debounce() -> None:
    frames = [["A"]] * 4 + [[]] * 8 + [["A"]] * 4  # gone for ~0.5 s > left_view_s 0.4
    assert run(Confirmer(confirm_frames=2, debounce_s=5.0, left_view_s=0.4), frames) == ["A", "A"]


def test_short_dropouts_do_not_count_as_leaving() -> None:
    frames = [["A"], ["A"], [], ["A"], [], [], ["A"], ["A"]]
    assert run(Confirmer(confirm_frames=2, debounce_s=5.0, left_view_s=0.4), frames) == ["A"]


def test_confirmations_must_fall_in_the_window() -> None:
    confirmer = Confirmer(confirm_frames=2, confirm_window_s=0.5, left_view_s=10.0)
    assert confirmer.observe(0.0, ["A"]) == []
    assert confirmer.observe(1.0, ["A"]) == []
    assert confirmer.observe(1.2, ["A"]) == ["A"]


def test_two_codes_in_one_frame_are_tracked_apart() -> None:
    assert sorted(run(Confirmer(), [["A", "B"], ["B", "A"]])) == ["A", "B"]


@given(st.lists(st.sampled_from(["A", "B", "C"]), max_size=60))
def test_isolated_misreads_are_never_accepted(reads: list[str]) -> None:
    """Each wrong value appears in single frames separated by at least one clean frame."""
    frames: list[list[str]] = []
    for read in reads:
        frames += [[read], [], [], [], [], [], [], []]  # alone, then >0.4 s without it
    assert run(Confirmer(confirm_frames=2, confirm_window_s=0.3), frames) == []
