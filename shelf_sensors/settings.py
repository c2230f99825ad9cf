"""Tunables of the pure pipeline, as a strict pydantic model (embedded in the node config).

Defaults are FIELD-NOTES "Load cells (HX711)" figures; tests and the bench use the defaults.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DetectionSettings(BaseModel):
    """Glitch, smoothing, stability, quantity, drift and alert parameters of every lane."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    valid_min_g: float = Field(
        default=-100.0, le=0, description="Readings below this are rail/failed codes, g"
    )
    valid_max_factor: float = Field(
        default=1.5, gt=1, description="Readings above this × a full lane (+2 kg) are rails"
    )
    hampel_window: int = Field(default=9, ge=3, le=31, description="Hampel window, samples (odd)")
    hampel_k: float = Field(default=4.0, gt=0, description="Hampel threshold in scaled MADs")
    hampel_floor_g: float = Field(default=5.0, ge=0, description="Hampel minimum deviation, g")
    ema_tau_s: float = Field(default=0.05, gt=0, description="Smoothing EMA time constant, s")
    stable_window_s: float = Field(default=0.4, gt=0, description="Stability window, s")
    stable_sigmas: float = Field(default=6.0, gt=0, description="Stable band in noise σ")
    stable_min_band_g: float = Field(default=2.0, gt=0, description="Smallest stable band, g")
    stable_max_slope: float = Field(default=1.0, gt=0, description="Largest stable slope, g/s")
    slope_sigmas: float = Field(
        default=6.0, ge=0, description="Slope limit is at least this × σ g/s (slope noise)"
    )
    still_spread: float = Field(
        default=2.2, gt=0, description="Stable only when the raw spread ≤ this × the quiet spread"
    )
    still_floor_g: float = Field(
        default=0.3, ge=0, description="…plus this many grams (quantisation, rounding)"
    )
    settle_hold_s: float = Field(
        default=0.0, ge=0, description="A new plateau must stay stable this long to end an event"
    )
    confirm_s: float = Field(
        default=1.2,
        ge=0,
        description="A plateau that adds weight or that no count explains must stay stable "
        "this long before it is an event (a resting hand is not a put)",
    )
    pick_confirm_s: float = Field(
        default=0.8,
        ge=0,
        description="A clean pick that leaves units on the lane is an event once its plateau "
        "has held this long; a further pick before then is the same visit (one pick of n)",
    )
    noise_sigma_g: float = Field(default=1.0, gt=0, description="Initial white-noise σ, g")
    sigma_m_floor_g: float = Field(default=0.5, gt=0, description="Least σ of a stable mean, g")
    min_event_g: float = Field(default=5.0, gt=0, description="Smaller changes are no event, g")
    min_event_fraction: float = Field(
        default=0.1, gt=0, le=1, description="Smaller changes than this × μ are no event"
    )
    confidence: float = Field(
        default=0.9, gt=0, lt=1, description="Posterior below this makes an uncertain event"
    )
    foreign_z: float = Field(
        default=3.5, gt=0, description="|z| beyond which no n·μ explains Δw (foreign item)"
    )
    foreign_min_fraction: float = Field(
        default=0.2, gt=0, lt=0.5, description="Residuals within this × μ are always a count"
    )
    foreign_max_fraction: float = Field(
        default=0.4, gt=0, le=0.5, description="Residuals beyond this × μ are never a count"
    )
    foreign_min_g: float = Field(
        default=6.0, gt=0, description="Residuals within this many grams are always a count"
    )
    overfill_z: float = Field(
        default=2.0, gt=0, description="|z| within which a put past capacity is still units"
    )
    learn_gain: float = Field(default=0.05, gt=0, le=1, description="Unit-weight learning gain")
    autozero_quiet_s: float = Field(default=30.0, ge=0, description="Quiet time before auto-zero")
    autozero_max_error: float = Field(
        default=0.25, gt=0, description="Auto-zero only errors below this × μ"
    )
    autozero_interval_s: float = Field(default=30.0, gt=0, description="Auto-zero rate limit, s")
    autozero_max_step_g: float = Field(default=1.0, gt=0, description="Largest auto-zero step, g")
    oos_fraction: float = Field(default=0.5, gt=0, description="Out of stock when W < this × μ")
    oos_hold_s: float = Field(
        default=10.0, ge=0, description="…for this long when the count still says otherwise, s"
    )
    oos_clear_fraction: float = Field(
        default=0.8, gt=0, description="Out of stock clears when W ≥ this × μ (hysteresis)"
    )
    oos_clear_s: float = Field(default=2.0, ge=0, description="…for at least this long, s")
    low_debounce_s: float = Field(default=3.0, ge=0, description="Low-stock debounce, s")
