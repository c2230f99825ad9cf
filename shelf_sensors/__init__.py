"""Smart shelf node: load cells, calibration, pick/put detection, stock counts, alerts."""
