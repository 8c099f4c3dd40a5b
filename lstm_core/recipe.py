"""How the network sees the data: a versioned, frozen recipe saved with every run.

1. An optional log transform (the plan resolves "auto": logs of a strictly positive series, so a
   growing seasonal swing becomes a constant one).
2. Each input window is normalised by itself: minus its last value, divided by its own standard
   deviation. A trending series therefore never leaves the range the network was trained on, which
   a scaler fitted once on the training slice cannot promise.
3. The network predicts the *correction* to the seasonal-naive-with-drift forecast of that window
   (last season repeated plus the window's growth per season), in the same window units (direct
   multi-output, `Dense(horizon)`, no recursion). A network that learns nothing falls back to
   that simple forecast instead of to nonsense. The drift is full, halved or dropped, whichever
   makes the base forecast most accurate on the windows before the calibration slice: it helps
   trending series and adds noise to level ones.
4. How much of the network's correction is used (`shrink`: 0, 0.25, ..., 1), whichever forecasts
   the early-stopping points best; a network whose correction does not help on data it was not
   fitted to falls back towards its base forecast instead of adding noise to it.
5. Per-step conformal half-widths, in window units (`lstm_core.calibration`), of the forecast as
   made (shrink included).

Version 1 recipes (saved as a loose "state" dict before the recipe was an object) and version 2
are the same method with the whole correction (`shrink` 1); version 1 recipes saved before the
drift choice existed always used full drift. All still load and forecast as they did.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from lstm_core.errors import BundleError

METHOD = "window-std-snaive-drift-residual"
RECIPE_VERSION = 3
KNOWN_VERSIONS = (1, 2, 3)
SHRINK_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
_REQUIRED = frozenset(
    {"version", "method", "transform", "season_length", "input_length", "horizon", "level",
     "half_widths", "scale_floor", "members", "time_column", "freq"}
)


@dataclass(frozen=True)
class Recipe:
    """The method and its fitted constants; with the trained networks it reproduces forecasts.

    Attributes:
        transform: "log" or "none".
        season_length: the base forecast's season (1 = naive).
        input_length: window length.
        horizon: steps forecast from one window.
        level: nominal interval coverage.
        scale_floor: smallest window scale (keeps flat windows from dividing by ~0).
        drift: share of the window's growth per season the base adds: 1, 0.5 or 0.
        members: networks combined by their median.
        time_column: "date" or "step".
        freq: date frequency alias, or None.
        half_widths: (horizon,) conformal half-widths in window units.
        shrink: share of the network's correction used (1 before version 3).
        version: recipe version (1 for runs saved before version 2; honoured when forecasting).
        method: the method's name.
    """

    transform: str
    season_length: int
    input_length: int
    horizon: int
    level: float
    scale_floor: float
    drift: float
    members: int
    time_column: str
    freq: str | None
    half_widths: tuple[float, ...]
    shrink: float = 1.0
    version: int = RECIPE_VERSION
    method: str = METHOD

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (the run manifest's `transform` entry); `from_dict` reads it back."""
        out = asdict(self)
        out["half_widths"] = [float(v) for v in self.half_widths]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Recipe:
        """Read a recipe saved by this or an earlier version.

        Raises:
            BundleError: not a recipe this version can forecast from.
        """
        if (not isinstance(data, Mapping) or _REQUIRED - set(data)
                or data.get("method") != METHOD or data.get("version") not in KNOWN_VERSIONS):
            raise BundleError("This run was saved in a format this version cannot forecast from; "
                              "train it again.")
        return cls(
            transform=str(data["transform"]), season_length=int(data["season_length"] or 1),
            input_length=int(data["input_length"]), horizon=int(data["horizon"]),
            level=float(data["level"]), scale_floor=float(data["scale_floor"]),
            # recipes saved before the drift choice always used full drift
            drift=float(data.get("drift", 1.0)), members=int(data["members"]),
            time_column=str(data["time_column"]), freq=data["freq"],
            half_widths=tuple(float(v) for v in data["half_widths"]),
            shrink=float(data.get("shrink", 1.0)),  # the whole correction before version 3
            version=int(data["version"]), method=METHOD,
        )

    def with_half_widths(self, half: np.ndarray) -> Recipe:
        """The same recipe with calibrated interval half-widths."""
        return replace(self, half_widths=tuple(float(v) for v in half))

    # -- the method ----------------------------------------------------------------------------

    def forward(self, values: np.ndarray) -> np.ndarray:
        """Original units -> model units (a copy)."""
        values = np.asarray(values, dtype=float)
        return np.log(values) if self.transform == "log" else values.copy()

    def inverse(self, values: np.ndarray) -> np.ndarray:
        """Model units -> original units."""
        values = np.asarray(values, dtype=float)
        return np.exp(values) if self.transform == "log" else values

    def normalise(self, windows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Window-relative inputs plus the base forecast and scale of each window.

        Args:
            windows: (k, input_length) or (k, input_length, 1) transformed values; k may be 0.

        Returns:
            `X: (k, input_length, 1)` float32 inputs, `base: (k, horizon)`, `scale: (k, 1)`.
        """
        x = np.asarray(windows, dtype=float).reshape(len(windows), self.input_length)
        scale = np.maximum(x.std(axis=1, keepdims=True), self.scale_floor)  # (k, 1)
        base = base_paths(x, self.season_length, self.horizon, self.drift)
        X = ((x - x[:, -1:]) / scale)[:, :, None].astype(np.float32)
        return X, base, scale

    def targets(self, windows: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Network inputs and targets (the correction to the base, in window units)."""
        X, base, scale = self.normalise(windows)
        return X, (np.asarray(y, dtype=float) - base) / scale

    def paths(
        self, models: Sequence[Any], windows: np.ndarray, steps: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Forecast, lower and upper (original units) for each window: each (k, steps)."""
        X, base, scale = self.normalise(windows)
        pred = self.correction(models, X)  # (k, horizon) in window units
        half = np.asarray(self.half_widths, dtype=float)  # (horizon,)
        centre = base + scale * pred
        forecast = self.inverse(centre)
        lower = self.inverse(centre - scale * half)
        upper = self.inverse(centre + scale * half)
        return forecast[:, :steps], lower[:, :steps], upper[:, :steps]


    def correction(self, models: Sequence[Any], X: np.ndarray) -> np.ndarray:
        """The correction added to the base, in window units: `(k, horizon)`."""
        return self.shrink * predict_members(models, X, self.horizon)

    def describe_base(self) -> str:
        """The base forecast in words ("the seasonal-naive forecast with drift", ...)."""
        if self.season_length <= 1:
            return "the naive forecast (the last value repeated)"
        drift = {1.0: " with drift", 0.5: " with damped drift"}.get(self.drift, "")
        if self.input_length < 2 * self.season_length:
            drift = ""
        return f"the seasonal-naive forecast{drift}"


def base_paths(x: np.ndarray, season: int, horizon: int, drift: float = 1.0) -> np.ndarray:
    """Seasonal naive (with drift) for each window: `x: (k, input_length)` -> `(k, horizon)`.

    Step j repeats the value one season earlier and adds `drift` (1 full, 0.5 damped, 0 none)
    times the window's growth per season (mean of its last season minus mean of the season
    before) once per season ahead. The drift needs two seasons in the window; without a season
    (1) this is the naive forecast.
    """
    length = x.shape[1]
    steps = np.arange(horizon)
    base = x[:, length - season + (steps % season)]
    if drift and season > 1 and length >= 2 * season:
        growth = x[:, -season:].mean(axis=1) - x[:, -2 * season:-season].mean(axis=1)
        base = base + float(drift) * growth[:, None] * (1 + steps // season)[None, :]
    return base


def predict_members(models: Sequence[Any], X: np.ndarray, horizon: int) -> np.ndarray:
    """Median of the members' normalised predictions, (k, horizon)."""
    if not len(X):
        return np.zeros((0, horizon))
    from lstm_core.trainer import predict

    outputs = np.stack([predict(model, X).astype(float) for model in models])
    return np.median(outputs, axis=0)


def choose_drift(
    x: np.ndarray, y: np.ndarray, season: int, horizon: int, floor: float
) -> tuple[float, str]:
    """How much of the window's growth per season the base forecast adds: 1, 0.5 or 0.

    Decided by the base forecast's own error (no network) on the given windows, in window-scale
    units. The caller passes windows whose targets end before the calibration slice, so neither
    the calibration points nor the holdout influence the choice.

    Args:
        x: (k, input_length) transformed input windows.
        y: (k, horizon) their targets.
        season: the base season (1 = none).
        horizon: forecast steps.
        floor: smallest window scale.

    Returns:
        `(drift, note)`: the note is "" when full drift was kept.
    """
    if season <= 1 or x.shape[1] < 2 * season or not len(x):
        return 1.0, ""  # no drift term is possible: nothing to choose
    scale = np.maximum(x.std(axis=1, keepdims=True), floor)
    errors = {
        drift: float(np.mean(np.abs(y - base_paths(x, season, horizon, drift)) / scale))
        for drift in (1.0, 0.5, 0.0)  # ties keep the fuller drift
    }
    drift = min(errors, key=errors.get)
    if drift == 0.0:
        return drift, ("The network corrects the plain seasonal-naive forecast: on the training "
                       "windows adding each window's growth per season (drift) made that forecast "
                       "worse.")
    if drift == 0.5:
        return drift, ("The network corrects the seasonal-naive forecast plus half of each "
                       "window's growth per season (damped drift): on the training windows that "
                       "beat full and no drift.")
    return drift, ""


def shrink_errors(targets: np.ndarray, predictions: np.ndarray) -> dict[float, float]:
    """Mean absolute error of `base + w * correction` for every w in `SHRINK_GRID` (window units).

    Args:
        targets: (k, horizon) normalised targets (target minus base, over scale); NaN where a step
            falls outside the points used.
        predictions: (k, horizon) the networks' corrections for the same origins.

    Returns:
        `{w: error}`; empty when no target is known.
    """
    known = ~np.isnan(targets)
    if not known.any():
        return {}
    t, p = targets[known], predictions[known]
    return {w: float(np.mean(np.abs(t - w * p))) for w in SHRINK_GRID}


def choose_shrink(
    targets: np.ndarray, predictions: np.ndarray, allowed: bool = True
) -> tuple[float, float | None]:
    """The share of the correction that forecasts held-out points best, and its error reduction.

    Args:
        targets, predictions: as for `shrink_errors`.
        allowed: False always takes the whole correction (and reports its gain).

    Returns:
        `(shrink, gain)`: the share from `SHRINK_GRID` with the lowest mean absolute error (ties
        keep the smaller share), and the relative error reduction against the base alone
        (`1 - error(shrink) / error(0)`; None when there is nothing to measure on).
    """
    errors = shrink_errors(targets, predictions)
    if not errors:
        return 1.0, None
    shrink = min(SHRINK_GRID, key=lambda w: (errors[w], w)) if allowed else 1.0
    gain = 1.0 - errors[shrink] / errors[0.0] if errors[0.0] > 0 else None
    return shrink, gain
