"""Scaling of series values with statistics taken from the training slice only."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from lstm_core.errors import SettingsError

METHODS = ("standard", "minmax")


class Scaler:
    """Affine scaler: `scaled = (values - offset) / scale`.

    "standard" uses the mean and standard deviation, "minmax" maps the training range to [0, 1].
    A constant training slice gets scale 1, so it maps to 0 instead of dividing by zero. NaN stays
    NaN. Inputs are never modified; every method returns a new float64 array of the same shape.

    Args:
        method: "standard" or "minmax".

    Raises:
        SettingsError: unknown method.
    """

    def __init__(self, method: str = "standard") -> None:
        if method not in METHODS:
            raise SettingsError(
                f"scaling method must be one of {', '.join(METHODS)}, got {method!r}."
            )
        self.method = method
        self.offset: float | None = None
        self.scale: float | None = None

    def fit(self, values: np.ndarray) -> Scaler:
        """Learn offset and scale from `values` (the training slice; NaN ignored).

        Raises:
            SettingsError: when `values` holds no finite number.
        """
        data = np.asarray(values, dtype=np.float64)
        finite = data[np.isfinite(data)]
        if finite.size == 0:
            raise SettingsError("The training part of the series has no numbers to scale by.")
        if self.method == "standard":
            offset, spread = float(finite.mean()), float(finite.std())
        else:
            offset, spread = float(finite.min()), float(finite.max() - finite.min())
        self.offset = offset
        # A (near-)constant slice would blow values up; keep them centred but unscaled instead.
        self.scale = spread if spread > 1e-12 * max(1.0, abs(offset)) else 1.0
        return self

    def _stats(self) -> tuple[float, float]:
        if self.offset is None or self.scale is None:
            raise RuntimeError("Scaler.fit must be called before transform or inverse_transform.")
        return self.offset, self.scale

    def transform(self, values: np.ndarray) -> np.ndarray:
        """Scale `values` (any shape) into model units."""
        offset, scale = self._stats()
        return (np.asarray(values, dtype=np.float64) - offset) / scale

    def inverse_transform(self, values: np.ndarray) -> np.ndarray:
        """Map model-unit `values` (any shape) back to the original units."""
        offset, scale = self._stats()
        return np.asarray(values, dtype=np.float64) * scale + offset

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict; `Scaler.from_dict` reads it back."""
        offset, scale = self._stats()
        return {"method": self.method, "offset": offset, "scale": scale}

    @classmethod
    def from_dict(cls, data: Any) -> Scaler:
        """Rebuild a fitted scaler from `to_dict` output.

        Raises:
            SettingsError: missing keys or non-finite numbers.
        """
        if not isinstance(data, dict) or set(data) != {"method", "offset", "scale"}:
            raise SettingsError("scaler must be an object with keys method, offset and scale.")
        scaler = cls(data["method"])
        for key in ("offset", "scale"):
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
                value
            ):
                raise SettingsError(f"scaler {key} must be a finite number, got {value!r}.")
        if data["scale"] == 0:
            raise SettingsError("scaler scale must not be 0.")
        scaler.offset, scaler.scale = float(data["offset"]), float(data["scale"])
        return scaler

    def __repr__(self) -> str:
        return f"Scaler(method={self.method!r}, offset={self.offset!r}, scale={self.scale!r})"
