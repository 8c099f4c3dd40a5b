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
drift choice existed always used full drift. Version 3 added the smoothing bases, version 4 the
seasonal naive read from the history, and version 5 the history smoothing's form chosen by AICc
with fitted starting states (`fit_es`; before it, damped Holt-Winters started from the first two
seasons). All still load and forecast as they did.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from lstm_core.driver_inputs import DriverInputs
from lstm_core.errors import BundleError

METHOD = "window-std-snaive-drift-residual"
RECIPE_VERSION = 5
KNOWN_VERSIONS = (1, 2, 3, 4, 5)
SHRINK_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
# Logs are dropped for raw values only when the base's error with logs is this many times the raw
# one (`choose_transform`); chosen on the wide bench's development set (`bench/wide.py --set dev`).
LOG_MARGIN = 1.1
# The longest season whose smoothing starts are fitted by maximum likelihood (`fit_es`).
ESTIMATED_SEASON_MAX = 24
# The fewest known points `fit_es` fits a smoothing to (`es_min_points`).
ES_MIN_POINTS = 10
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
        smoothing: `(alpha, beta, gamma, phi)` when the base is exponential smoothing; empty for
            the seasonal-naive base (always before v3).
        history: True when the base reads the whole history before each origin rather than the
            input window: the smoothing when there is one (`es_history`, ES-RNN style), else the
            season before the origin (`snaive_history`; version 4, for windows shorter than the
            season).
        states: where the history smoothing starts and its fitted starting states, `(start,
            level, trend, *season)` (`fit_es`, version 5); empty: the states start from the
            first two seasons (before version 5).
        version: recipe version (1 for runs saved before version 2; honoured when forecasting).
        method: the method's name.
        channels: constant values added to every time step of the network's input after the
            window (e.g. which series of a panel the window comes from); empty for one series.
        drivers: how the network reads drivers (`lstm_core.driver_inputs`); None without them.
            With drivers, every call that builds inputs needs their channels (`extra`).
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
    smoothing: tuple[float, ...] = ()
    history: bool = False
    states: tuple[float, ...] = ()
    version: int = RECIPE_VERSION
    method: str = METHOD
    channels: tuple[float, ...] = ()
    drivers: DriverInputs | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (the run manifest's `transform` entry); `from_dict` reads it back."""
        out = asdict(replace(self, drivers=None))
        out["half_widths"] = [float(v) for v in self.half_widths]
        out["smoothing"] = [float(v) for v in self.smoothing]
        out["states"] = [float(v) for v in self.states]
        if not self.states:
            del out["states"]  # recipes without fitted states read as before
        out["channels"] = [float(v) for v in self.channels]
        if not self.channels:
            del out["channels"]  # a single series' recipe reads as before
        if self.drivers is None:
            del out["drivers"]
        else:
            out["drivers"] = self.drivers.to_dict()
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
            smoothing=tuple(float(v) for v in data.get("smoothing") or ()),
            history=bool(data.get("history", False)),
            states=tuple(float(v) for v in data.get("states") or ()),
            version=int(data["version"]), method=METHOD,
            channels=tuple(float(v) for v in data.get("channels") or ()),
            drivers=(DriverInputs.from_dict(data["drivers"]) if data.get("drivers") is not None
                     else None),
        )

    def with_half_widths(self, half: np.ndarray) -> Recipe:
        """The same recipe with calibrated interval half-widths."""
        return replace(self, half_widths=tuple(float(v) for v in half))

    # -- the method ----------------------------------------------------------------------------

    def forward(self, values: np.ndarray) -> np.ndarray:
        """Original units -> model units (a copy)."""
        return transform_values(values, self.transform)

    def inverse(self, values: np.ndarray) -> np.ndarray:
        """Model units -> original units."""
        values = np.asarray(values, dtype=float)
        return np.exp(values) if self.transform == "log" else values

    def normalise(
        self, windows: np.ndarray, base: np.ndarray | None = None,
        extra: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Window-relative inputs plus the base forecast and scale of each window.

        Args:
            windows: (k, input_length) or (k, input_length, 1) transformed values; k may be 0.
            base: (k, horizon) the base forecasts when they need more than the window (a
                history base: `base_at`); None computes them from the windows.
            extra: (k, input_length, c) the drivers' channels of each window
                (`DriverMatrix.at`); needed exactly when the recipe has drivers.

        Returns:
            `X: (k, input_length, 1 + len(channels) + c)` float32 inputs, `base: (k, horizon)`,
            `scale: (k, 1)`.
        """
        if (extra is None) != (self.drivers is None):
            raise ValueError("Driver channels are needed exactly when the recipe has drivers.")
        x = np.asarray(windows, dtype=float).reshape(len(windows), self.input_length)
        scale = np.maximum(x.std(axis=1, keepdims=True), self.scale_floor)  # (k, 1)
        base = self.base_forecast(x) if base is None else np.asarray(base, dtype=float)
        X = ((x - x[:, -1:]) / scale)[:, :, None].astype(np.float32)
        if self.channels:
            constant = np.asarray(self.channels, dtype=np.float32)[None, None, :]
            X = np.concatenate(
                [X, np.broadcast_to(constant, (len(X), self.input_length, constant.shape[-1]))],
                axis=2,
            )  # (k, input_length, 1 + channels)
        if extra is not None:
            X = np.concatenate([X, np.asarray(extra, dtype=np.float32)], axis=2)
        return X, base, scale

    def targets(
        self, windows: np.ndarray, y: np.ndarray, base: np.ndarray | None = None,
        extra: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Network inputs and targets (the correction to the base, in window units)."""
        X, base, scale = self.normalise(windows, base, extra)
        return X, (np.asarray(y, dtype=float) - base) / scale

    def paths(
        self, models: Sequence[Any], windows: np.ndarray, steps: int,
        base: np.ndarray | None = None, extra: np.ndarray | None = None,
        offset: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Forecast, lower and upper (original units) for each window: each (k, steps).

        `offset` (k, horizon) is added in model units before the inverse transform: the
        drivers' linear effect on the forecast steps (`DriverMatrix.offsets`), when the windows
        had it taken out.
        """
        X, base, scale = self.normalise(windows, base, extra)
        pred = self.correction(models, X)  # (k, horizon) in window units
        half = np.asarray(self.half_widths, dtype=float)  # (horizon,)
        centre = base + scale * pred
        if offset is not None:
            centre = centre + np.asarray(offset, dtype=float)
        forecast = self.inverse(centre)
        lower = self.inverse(centre - scale * half)
        upper = self.inverse(centre + scale * half)
        return forecast[:, :steps], lower[:, :steps], upper[:, :steps]


    def correction(self, models: Sequence[Any], X: np.ndarray) -> np.ndarray:
        """The correction added to the base, in window units: `(k, horizon)`."""
        return self.shrink * predict_members(models, X, self.horizon)

    @property
    def refits_smoothing(self) -> bool:
        """Whether the base is a history smoothing with fitted starting states (version 5), which
        is fitted again on the history a future is forecast from (`pipeline.refit_base`)."""
        return bool(self.history and self.smoothing and self.states)

    def base_at(self, z: np.ndarray, origins: np.ndarray) -> np.ndarray | None:
        """Base forecasts made at `origins` from the whole history before each (history base).

        Returns:
            (k, horizon), or None when the base needs only the windows (pass None on).
        """
        if not self.history:
            return None
        if not self.smoothing:
            return snaive_history(z, self.season_length, self.horizon, origins)
        return es_history(z, self.season_length, self.horizon, self.smoothing, origins,
                          self.states)

    def base_forecast(self, x: np.ndarray) -> np.ndarray:
        """The base forecast of each window: `x: (k, input_length)` -> `(k, horizon)`."""
        if self.history:
            raise ValueError("A history base needs the series: use base_at.")
        if self.smoothing:
            return es_paths(x, self.season_length, self.horizon, *self.smoothing)
        return base_paths(x, self.season_length, self.horizon, self.drift)

    def describe_base(self) -> str:
        """The base forecast in words ("the seasonal-naive forecast with drift", ...)."""
        if self.smoothing and self.states:
            start = int(self.states[0])
            over = f"the history from point {start + 1} on" if start else "the whole history"
            return f"exponential smoothing ({es_form(self.smoothing, self.states)}) run over {over}"
        if self.smoothing:
            kind = "Holt-Winters" if self.season_length > 1 else "Holt's"
            over = "the whole history" if self.history else "each window"
            return f"exponential smoothing ({kind}) run over {over}"
        if self.history:
            return "the seasonal-naive forecast (the season before, read from the history)"
        if self.season_length <= 1:
            return "the naive forecast (the last value repeated)"
        drift = {1.0: " with drift", 0.5: " with damped drift"}.get(self.drift, "")
        if self.input_length < 2 * self.season_length:
            drift = ""
        return f"the seasonal-naive forecast{drift}"


def transform_values(values: np.ndarray, transform: str) -> np.ndarray:
    """Original units -> model units: logs for "log", else a copy."""
    values = np.asarray(values, dtype=float)
    return np.log(values) if transform == "log" else values.copy()


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


def es_paths(
    x: np.ndarray, season: int, horizon: int, alpha: float, beta: float, gamma: float,
    phi: float,
) -> np.ndarray:
    """Additive Holt-Winters (Holt's linear without a season) run over each window.

    The level, trend and seasonal states start from the window's first season(s) and are smoothed
    over the rest of it with fixed parameters; the forecast is the usual damped-trend one. In the
    model's units (logs when the recipe takes logs) an additive season is a multiplicative one.

    Args:
        x: (k, input_length) windows.
        season: season length (1: no season).
        horizon: steps to forecast.
        alpha, beta, gamma: smoothing of level, trend and season, each in [0, 1].
        phi: trend damping in (0, 1].

    Returns:
        (k, horizon) forecasts.
    """
    k, length = x.shape
    m = season if season > 1 and length >= season else 1
    if m > 1:
        level = x[:, :m].mean(axis=1)
        trend = ((x[:, m:2 * m].mean(axis=1) - level) / m if length >= 2 * m
                 else np.zeros(k))
        seasonal = x[:, :m] - level[:, None]  # (k, m)
        start = m
    else:
        level = x[:, 0].copy()
        trend = x[:, 1] - x[:, 0] if length > 1 else np.zeros(k)
        seasonal = np.zeros((k, 1))
        start = 1
    for t in range(start, length):
        slot = t % m
        s = seasonal[:, slot]
        previous = level
        level = alpha * (x[:, t] - s) + (1 - alpha) * (previous + phi * trend)
        trend = beta * (level - previous) + (1 - beta) * phi * trend
        if m > 1:
            seasonal[:, slot] = gamma * (x[:, t] - level) + (1 - gamma) * s
    steps = np.arange(1, horizon + 1)
    damped = np.cumsum(phi ** steps)  # (horizon,)
    slots = (length + steps - 1) % m
    return level[:, None] + damped[None, :] * trend[:, None] + seasonal[:, slots]


def es_history(
    z: np.ndarray, season: int, horizon: int, params: Sequence[float], origins: np.ndarray,
    states: Sequence[float] = (),
) -> np.ndarray:
    """Additive Holt-Winters run once over the whole series; its forecast at each origin.

    The states start either from fitted starting states (`states`, from `fit_es`: the recursion
    and forecast are then exactly statsmodels') or from the first two seasons (two points
    without a season), and are updated point by point with fixed parameters; a missing value
    only advances the damped trend. The forecast made at origin t (from `z[:t]` only) is stored
    for every requested origin after the start.

    Args:
        z: (n,) the series in model units (NaN allowed).
        season: season length (1: Holt's linear trend).
        horizon: steps forecast from each origin.
        params: `(alpha, beta, gamma, phi)`; phi 0 is smoothing without a trend.
        origins: positions t (1..n) to forecast from.
        states: `(start, level, trend, *season)`: the states before `z[start]`; empty starts
            them from the first seasons.

    Returns:
        (k, horizon) forecasts, NaN for an origin before the states could start.
    """
    alpha, beta, gamma, phi = (float(p) for p in params)
    x = np.asarray(z, dtype=float)
    n = x.size
    m = season if season > 1 else 1
    origins = np.asarray(origins, dtype=int)
    out = np.full((origins.size, horizon), np.nan)
    known = x[~np.isnan(x)]
    if states:
        start = int(states[0])
        level, trend = float(states[1]), float(states[2])
        seasonal = [float(v) for v in states[3:3 + m]] if m > 1 else [0.0]
        if start > n or len(seasonal) != m:
            return out
        # Slot k of `seasonal` belongs to the points start + k, start + k + m, ...
        seasonal = [seasonal[(slot - start) % m] for slot in range(m)]
        first = start + 1
    else:
        if known.size < m + 1:
            return out
        head = _filled(x[: 2 * m if m > 1 else 2])
        level = float(head[:m].mean())
        trend = float((head[m:2 * m].mean() - level) / m) if head.size >= 2 * m and m > 1 else (
            float(head[1] - head[0]) if m == 1 and head.size > 1 else 0.0)
        seasonal = [float(v) - level for v in head[:m]] if m > 1 else [0.0]
        start = m
        # The starting states read the first `head.size` points: an origin before them would
        # see its own targets, so its forecast stays undefined.
        first = head.size
    steps = np.arange(1, horizon + 1)
    damped = np.cumsum(phi ** steps)
    wanted = {int(t): i for i, t in enumerate(origins)}
    for t in range(start, n + 1):
        if t in wanted and t >= first:
            slots = (t + steps - 1) % m
            out[wanted[t]] = level + damped * trend + np.asarray(seasonal)[slots]
        if t == n:
            break
        value = x[t]
        slot = t % m
        s = seasonal[slot] if m > 1 else 0.0
        previous, trend_before = level, trend
        if value != value:  # NaN: no observation, the states only move with the trend
            level = previous + phi * trend
            trend = phi * trend
            continue
        level = alpha * (value - s) + (1 - alpha) * (previous + phi * trend)
        trend = beta * (level - previous) + (1 - beta) * phi * trend
        if m > 1:  # Hyndman's form, as statsmodels fits it: against the previous level and trend
            seasonal[slot] = gamma * (value - previous - phi * trend_before) + (1 - gamma) * s
    return out


def snaive_history(
    z: np.ndarray, season: int, horizon: int, origins: np.ndarray
) -> np.ndarray:
    """Seasonal naive read from the history: step j from origin t repeats `z[t - m + j % m]`.

    For windows shorter than the season, which cannot repeat it themselves.

    Returns:
        (k, horizon) forecasts, NaN for an origin less than a season in (or a missing value).
    """
    x = np.asarray(z, dtype=float)
    m = max(int(season), 1)
    origins = np.asarray(origins, dtype=int)
    positions = origins[:, None] - m + (np.arange(horizon) % m)[None, :]  # (k, horizon)
    out = x[np.clip(positions, 0, max(x.size - 1, 0))] if x.size else np.full(positions.shape,
                                                                               np.nan)
    out = np.array(out, dtype=float)
    out[(positions < 0) | (positions >= x.size)] = np.nan
    out[origins < m] = np.nan
    return out


def _filled(values: np.ndarray) -> np.ndarray:
    """Fill NaN by carrying the nearest known value (for starting the smoothing states)."""
    out = np.asarray(values, dtype=float).copy()
    if np.isnan(out).all():
        return out
    index = np.arange(out.size)
    known = ~np.isnan(out)
    return np.interp(index, index[known], out[known])


@dataclass(frozen=True)
class EsFit:
    """Exponential smoothing fitted to a series in model units (`fit_es`).

    Attributes:
        params: `(alpha, beta, gamma, phi)` for `es_history`; phi 0 without a trend, 1 for an
            undamped one.
        states: `(start, level, trend, *season)`: the fitted states before `z[start]`.
        form: the chosen form in words ("damped trend, additive season").
    """

    params: tuple[float, float, float, float]
    states: tuple[float, ...]
    form: str


Form = tuple[bool, bool, bool]  # (trend, damped, additive season)


def es_shape(params: Sequence[float], states: Sequence[float]) -> Form:
    """The smoothing's form from its parameters and starting states (`fit_es`): `(trend,
    damped, season)`; phi 0 means no trend, 1 an undamped one."""
    phi = float(params[3])
    seasonal = any(float(v) != 0 for v in states[3:]) or float(params[2]) != 0
    return phi != 0, 0 < phi < 1, seasonal


def es_form(params: Sequence[float], states: Sequence[float]) -> str:
    """The smoothing's form in words ("damped trend, additive season")."""
    trend, damped, seasonal = es_shape(params, states)
    words = "damped" if damped else "additive" if trend else "no"
    return f"{words} trend, {'additive' if seasonal else 'no'} season"


def es_min_points(season: int, seasonal: bool) -> int:
    """The fewest points `fit_es` fits a smoothing of this form to: `ES_MIN_POINTS`, and for a
    seasonal form two seasons plus two (`evaluation.ets_seasonal_points`)."""
    from lstm_core.evaluation import ets_seasonal_points

    if seasonal and season > 1:
        return max(ES_MIN_POINTS, ets_seasonal_points(season))
    return ES_MIN_POINTS


def _initialization(points: int, periods: int) -> str:
    """How `fit_es` starts its states: maximum likelihood ("estimated"), except for seasons
    longer than `ESTIMATED_SEASON_MAX`, where estimating that many starting states is slow and
    statsmodels' heuristic is used as the ETS baseline uses it (`evaluation.ets_initialization`).
    On the development set maximum likelihood beat the heuristic (mean MASE 1.025 against 1.043,
    geometric mean 0.690 against 0.709)."""
    from lstm_core.evaluation import ets_initialization

    return "estimated" if periods <= ESTIMATED_SEASON_MAX else ets_initialization(points, periods)


def _spec_shape(spec: Mapping[str, Any]) -> Form:
    """The form of a statsmodels `ExponentialSmoothing` spec (`evaluation.ets_candidates`)."""
    return spec["trend"] is not None, bool(spec["damped_trend"]), spec["seasonal"] is not None


def fit_es(z: np.ndarray, season: int, form: Form | None = None) -> EsFit | None:
    """Exponential smoothing with its form chosen by AICc, like the ETS baseline, or a given form.

    Candidates: no, additive or damped trend, each without and (with two seasons plus two points
    of data) with an additive season; in logs an additive season is a multiplicative one. The
    fit reads the latest `evaluation.ets_points(season)` points, gaps bridged by interpolation
    for the fit only. Parameters and starting states are maximum likelihood (statsmodels; the
    heuristic start for long seasons, `_initialization`); `es_history` with the result
    reproduces statsmodels' one-step fits exactly, and its forecasts too except where statsmodels
    reuses a season from before its last update (statsmodels issue #9538).

    Args:
        z: (n,) the series in model units (NaN allowed).
        season: season length (1: none).
        form: `(trend, damped, season)` to fit only that form (`es_shape` of an earlier fit);
            None chooses by AICc.

    Returns:
        The `EsFit`, or None when no candidate fits or there are fewer than
        `ES_MIN_POINTS` known points.
    """
    from lstm_core.evaluation import best_by_aicc, ets_candidates, ets_points

    x = np.asarray(z, dtype=float)
    if np.isinf(x).any():
        return None
    known = np.flatnonzero(~np.isnan(x))
    if known.size < ES_MIN_POINTS:
        return None
    x = x[: known[-1] + 1]
    start = max(int(known[0]), x.size - ets_points(season))
    part = _filled(x[start:])
    m = season if season > 1 else 1
    specs = [{**spec, "initialization_method": _initialization(part.size, m if spec["seasonal"]
                                                                else 1)}
             for spec in ets_candidates(part, m, multiplicative=False)
             if form is None or _spec_shape(spec) == tuple(form)]
    best = best_by_aicc(part, specs)
    if best is None:
        return None
    spec, fit = best
    trended, _damped, seasonal = _spec_shape(spec)
    p = fit.params

    def number(key: str, default: float) -> float:
        value = p.get(key)
        return float(value) if value is not None and np.isfinite(value) else default

    params = (number("smoothing_level", 0.0), number("smoothing_trend", 0.0) if trended else 0.0,
              number("smoothing_seasonal", 0.0) if seasonal else 0.0,
              number("damping_trend", 1.0) if trended else 0.0)
    seasonal_states = np.zeros(m)
    if seasonal:
        seasonal_states = np.asarray(p.get("initial_seasons"), dtype=float).ravel()
    states = (float(start), number("initial_level", float(part[0])),
              number("initial_trend", 0.0) if trended else 0.0,
              *(float(v) for v in seasonal_states))
    if len(states) != 3 + m or not all(np.isfinite(v) for v in (*params, *states)):
        return None
    return EsFit(params=params, states=states, form=es_form(params, states))


def history_error(
    y: np.ndarray, base: np.ndarray, scale: np.ndarray
) -> float:
    """Mean absolute base error in window-scale units over the rows where the base is known."""
    known = ~np.isnan(base).any(axis=1)
    if not known.any():
        return float("inf")
    return float(np.mean(np.abs(y[known] - base[known]) / scale[known]))


def _es_grid(season: int) -> list[tuple[float, float, float, float]]:
    gammas = (0.0, 0.2, 0.5) if season > 1 else (0.0,)
    return [(a, b, g, p) for a in (0.1, 0.3, 0.6, 0.9) for b in (0.0, 0.1) for g in gammas
            for p in (0.9, 1.0)]


def choose_base(
    x: np.ndarray, y: np.ndarray, season: int, horizon: int, floor: float,
    smoothing: bool = True,
) -> tuple[float, tuple[float, ...], str]:
    """The base forecast the network corrects: seasonal naive with drift, or exponential smoothing.

    Candidates: seasonal naive (naive without a season) with full, half or no drift, and, when
    `smoothing`, additive Holt-Winters over each window on a small grid of smoothing parameters.
    The winner has the lowest mean absolute error in window-scale units on the given windows
    (targets before the calibration slice: neither the calibration points nor the holdout count).

    Returns:
        `(drift, smoothing, note)`: `smoothing` is empty when a seasonal-naive base won.
    """
    drift, note = choose_drift(x, y, season, horizon, floor)
    if not smoothing or not len(x):
        return drift, (), note
    scale = np.maximum(x.std(axis=1, keepdims=True), floor)

    def error(base: np.ndarray) -> float:
        return float(np.mean(np.abs(y - base) / scale))

    best_naive = error(base_paths(x, season, horizon, drift))
    errors = {params: error(es_paths(x, season, horizon, *params)) for params in _es_grid(season)}
    params = min(errors, key=errors.get)
    if errors[params] >= best_naive:
        return drift, (), note
    alpha, beta, gamma, phi = params
    return drift, params, (
        f"The network corrects exponential smoothing run over each window (alpha {alpha:g}, "
        f"beta {beta:g}{f', gamma {gamma:g}' if season > 1 else ''}, damping {phi:g}): on the "
        f"training windows it forecast {1 - errors[params] / best_naive:.0%} better than the "
        "seasonal-naive forecast.")


def choose_transform(
    values: np.ndarray, stop: int, input_length: int, horizon: int, season: int | None
) -> tuple[str, float, float]:
    """Logs or raw values for a series above zero: whichever lets the base forecast the windows
    with targets before `stop` better, judged in the original units.

    The base (`choose_base`'s choice in each space) forecasts every window; the error is the mean
    absolute error over the window's own spread, both back in original units, so the two spaces
    are compared on the same footing. Logs turn a growing seasonal swing into a constant one, but
    also turn a trend into an exponential one; logs are kept unless their error is clearly
    larger (`LOG_MARGIN` times the raw one): on most series the two differ by a few percent, which
    is noise, while an exponential trend on a cycling series (yearly sunspots) errs half as much
    again and then wrecks the forecast.

    Returns:
        `(transform, error with logs, error without)`; "log" with infinite errors when there are
        no windows to judge by.
    """
    from lstm_core.windows import target_windows

    errors = {}
    for name in ("log", "none"):
        z = transform_values(np.asarray(values, dtype=float)[:stop], name)
        x, y = target_windows(z, 0, stop, input_length, horizon)
        if not len(x):
            return "log", float("inf"), float("inf")
        x = x.reshape(len(x), input_length).astype(float)
        y = np.asarray(y, dtype=float)
        m = season if season and 1 < season <= input_length else 1
        floor = 1e-6 * (float(np.nanstd(z)) + 1e-12)
        drift, smoothing, _ = choose_base(x, y, m, horizon, floor)
        base = (es_paths(x, m, horizon, *smoothing) if smoothing
                else base_paths(x, m, horizon, drift))
        original = (np.exp if name == "log" else np.asarray)
        with np.errstate(over="ignore", invalid="ignore"):
            spread = np.maximum(original(x).std(axis=1, keepdims=True), 1e-12)
            error = np.abs(original(y) - original(base)) / spread
        errors[name] = float(np.mean(error)) if np.isfinite(error).all() else float("inf")
    choice = "none" if errors["log"] > LOG_MARGIN * errors["none"] else "log"
    return choice, errors["log"], errors["none"]


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
