"""The photo-like set is reproducible per seed, and its classes hold what they say."""

from __future__ import annotations

import numpy as np

from bench.scanphotos.dataset import CLASSES, FRAME_H, FRAME_W, make_photo, photos


def test_same_seed_same_image_other_seed_other_image() -> None:
    a, b = make_photo(3, "upce", 1), make_photo(3, "upce", 1)
    assert np.array_equal(a.image, b.image)
    assert a.gtin14 == b.gtin14
    assert not np.array_equal(a.image, make_photo(4, "upce", 1).image)


def test_classes_carry_their_truth() -> None:
    made = list(photos(5, 1))
    assert [p.cls for p in made] == list(CLASSES)
    for photo in made:
        assert photo.image.shape == (FRAME_H, FRAME_W, 3)
        assert (photo.gtin14 is None) == (photo.cls == "none")
        if photo.gtin14 is not None:
            assert len(photo.gtin14) == 14
            assert photo.gtin14.isdigit()
        assert set(photo.conditions()) >= {"curved", "glare", "finger", "low_light"}
