"""Everything decided before training, made once, for the CLI, the dashboard and the backtest alike.

`make_plan(series, settings)` is the only place that decides the season a run uses, the value
transform, the split (training | early stopping | calibration | holdout) and whether the series is
long enough; `default_settings` is the only place that chooses automatic settings, and it shrinks
them for short series. `required_points` is the one length rule: the Train page, the CLI, the job
and the backtest all ask it, so no front accepts what the engine then refuses.

The length rule: after the holdout, the series must hold `MIN_TRAIN_WINDOWS` training windows of
`input_length + horizon` points (overlapping, one step apart). Validation is optional: it gets its
share of the points before the holdout when that leaves the training windows intact, a smaller
share or none on short series (the notes say so).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from lstm_core import evaluation as ev
from lstm_core.config import LIMITS, ModelConfig, Settings, TrainConfig, WindowConfig
from lstm_core.data import SeasonChoice, choose_season
from lstm_core.errors import DataError, SettingsError

# Fewest training windows a run trains on, and the shortest automatic window. A series of two
# horizons plus MIN_TRAIN_WINDOWS + MIN_INPUT - 1 points therefore still gets a forecast.
MIN_TRAIN_WINDOWS = 3
MIN_INPUT = 1
# Share of the validation part set aside (its latest points) to calibrate the intervals; early
# stopping sees only the rest, so the calibration residuals come from points nothing was fitted or
# selected on.
CALIBRATION_SHARE = 0.5


@dataclass(frozen=True)
class Plan:
    """What a run needs before training, decided in one place.

    Positions are indices into the series: training targets lie in `[0, train_end)`, early
    stopping's in `[train_end, stop_end)`, the calibration slice is `[stop_end, val_end)` (empty
    when too short to set aside), the holdout is `[val_end, n)`.

    Attributes:
        settings: the settings the run uses (holdout filled in).
        n: points in the series.
        season: season for seasonal naive, ETS, MASE and the network's base (None = none).
        season_choice: what the season was decided from.
        transform: "log" or "none" (what "auto" resolved to).
        train_end, stop_end, val_end: the split positions.
        notes: plain sentences on what was decided automatically.
        time_column: "date" or "step".
        freq: the date frequency alias, or None.
    """

    settings: Settings
    n: int
    season: int | None
    season_choice: SeasonChoice
    transform: str
    train_end: int
    stop_end: int
    val_end: int
    notes: tuple[str, ...]
    time_column: str
    freq: str | None

    @property
    def input_length(self) -> int:
        return self.settings.window.input_length

    @property
    def horizon(self) -> int:
        return self.settings.window.horizon

    @property
    def holdout(self) -> int:
        return self.n - self.val_end

    @property
    def base_season(self) -> int:
        """The season the network's base forecast repeats: 1 (naive) when the window is shorter."""
        season = self.season
        return season if season and 1 < season <= self.input_length else 1


def required_points(input_length: int, horizon: int, holdout: int) -> int:
    """Fewest points a run with this window, horizon and holdout needs (the one length rule)."""
    return holdout + input_length + horizon + MIN_TRAIN_WINDOWS - 1


def minimum_points(horizon: int, holdout: int | None = None) -> int:
    """Fewest points any forecast of `horizon` steps needs (with the shortest window)."""
    return required_points(MIN_INPUT, horizon, horizon if holdout is None else holdout)


def largest_horizon(n_points: int) -> int:
    """The longest horizon (holdout one horizon) a series of `n_points` can be forecast with."""
    return max(0, (n_points - MIN_INPUT - MIN_TRAIN_WINDOWS + 1) // 2)


def check_length(n_points: int, input_length: int, horizon: int, holdout: int) -> None:
    """Raise `DataError` when a series is too short for the window, horizon and holdout.

    Raises:
        DataError: one sentence naming the minimum and what to change.
    """
    need = required_points(input_length, horizon, holdout)
    if n_points >= need:
        return
    lead = (f"The series has {n_points} points, but a window of {input_length}, a horizon of "
            f"{horizon} and a holdout of {holdout} need at least {need}")
    window = largest_window(n_points, horizon, holdout)
    if window >= 1:
        fix = f"shorten the window to at most {window}, or use a longer series."
    elif largest_horizon(n_points) >= 1:
        fix = (f"shorten the horizon and holdout to at most {largest_horizon(n_points)} "
               "(with a shorter window), or use a longer series.")
    else:
        fix = (f"even a one-step forecast needs {required_points(1, 1, 1)} points; use a "
               "longer series.")
    raise DataError(f"{lead}; {fix}")


def default_settings(
    n_points: int, season_length: int | None, horizon: int | None = None
) -> Settings:
    """Automatic settings for a series of `n_points` with the given season, shrunk to fit.

    The horizon is one season (or a tenth of the series, at most 12, without one) unless given;
    the holdout is one horizon; the window covers two seasons (12 steps without a season), shrunk
    so that training keeps enough windows, but kept at one season when that fits (so the network
    can correct the seasonal-naive forecast). Too-short series get the smallest settings, which
    `make_plan` then refuses with a plain message.

    Args:
        n_points: length of the cleaned series.
        season_length: the season (`choose_season`), or None.
        horizon: steps to forecast; None chooses one.

    Returns:
        Validated settings.
    """
    season = season_length if season_length and season_length > 1 else None
    if horizon is None:
        horizon = season if season else max(1, min(12, n_points // 10))
        horizon = max(1, min(horizon, largest_horizon(n_points), LIMITS["horizon"]))
    holdout = horizon
    usable = n_points - holdout
    fits = usable - horizon - MIN_TRAIN_WINDOWS + 1  # the longest window that leaves 3 windows
    window = min(2 * season if season else 12, max(MIN_INPUT, (usable - horizon) // 3))
    if season and window < season <= fits:
        window = season
    window = max(1, min(window, fits, LIMITS["input_length"]))
    return Settings(
        window=WindowConfig(input_length=window, horizon=horizon),
        model=ModelConfig(units=32, layers=1, dropout=0.0, activation="tanh"),
        # Batch 64 and patience 20: 16 % less CPU over bench/accuracy.py than batch 32 and
        # patience 30, with the same rolling-origin MASE.
        train=TrainConfig(
            epochs=300, batch_size=64, learning_rate=0.01, patience=20,
            validation_fraction=0.2, seed=42,
        ),
        holdout=holdout,
    )


def make_plan(series: pd.Series, settings: Settings) -> Plan:
    """Decide season, transform and split for `series`, or say plainly why it cannot be used.

    Args:
        series: (n,) float values indexed by dates with a frequency, or by row numbers.
        settings: the run's settings (`holdout=None` means one horizon).

    Returns:
        The `Plan`.

    Raises:
        DataError: the series is too short for the settings (the message names the minimum).
        SettingsError: settings that cannot apply to this series (log of non-positive data).
    """
    values = np.asarray(series, dtype=float)
    n = values.size
    length, horizon = settings.window.input_length, settings.window.horizon
    holdout = settings.holdout or horizon
    check_length(n, length, horizon, holdout)
    notes: list[str] = []
    fit = n - holdout
    freq = getattr(series.index, "freqstr", None) if isinstance(series.index, pd.DatetimeIndex) \
        else None
    choice = choose_season(values[:fit], freq)
    if choice.note:
        notes.append(choice.note)
    season = choice.season
    train_end, note = _validation_start(fit, length, horizon, settings.train.validation_fraction)
    stop_end = _stopping_end(train_end, fit, horizon, settings.level)
    transform, transform_note = _resolve_transform(settings.transform, values, stop_end,
                                                   length, horizon, season)
    if transform_note:
        notes.append(transform_note)
    if season and not 1 < season <= length:
        notes.append(
            f"The window ({length}) is shorter than the season ({season}): a base forecast read "
            "from the window alone cannot repeat the season."
        )
    if note:
        notes.append(note)
    return Plan(
        settings=replace(settings, holdout=holdout), n=n, season=season, season_choice=choice,
        transform=transform, train_end=train_end, stop_end=stop_end, val_end=fit,
        notes=tuple(notes),
        time_column="date" if isinstance(series.index, pd.DatetimeIndex) else "step", freq=freq,
    )


def _resolve_transform(
    requested: str, values: np.ndarray, stop: int, length: int, horizon: int,
    season: int | None,
) -> tuple[str, str]:
    """The transform and, for "auto", a note on why.

    "auto" takes logs of a series above zero when they let the base forecast the windows before
    the calibration slice at least as well as the raw values do (`recipe.choose_transform`);
    only the points before `stop` are judged (every point must be above zero for logs).
    """
    from lstm_core.recipe import choose_transform

    finite = values[np.isfinite(values)]
    positive = bool(finite.size) and bool(np.all(finite > 0))
    if requested == "log" and not positive:
        raise SettingsError(
            "transform 'log' needs a series above zero; use transform 'none' or 'auto'."
        )
    if requested != "auto":
        return requested, ""
    if not positive:
        return "none", ("The model works on the raw values (the series has zeros or negatives, "
                        "so no log).")
    transform, with_logs, without = choose_transform(values, stop, length, horizon, season)
    if transform == "log":
        return "log", "The model works on the logarithm of the values (the series is above zero)."
    return "none", (
        "The model works on the raw values: the series is above zero, but on the windows before "
        f"the calibration points its base forecast erred {with_logs / without - 1:.0%} more with "
        "logs (a trend in logs grows exponentially)."
    )


def _validation_start(fit: int, length: int, horizon: int, fraction: float) -> tuple[int, str]:
    """Where validation begins: its share of the points before the holdout, when that fits.

    The validation part is either empty or at least one horizon long (early stopping needs one
    whole window), and never takes the last of the `MIN_TRAIN_WINDOWS` training windows.
    """
    wanted = int(round(fit * fraction))
    room = fit - required_points(length, horizon, 0)  # points validation may take
    n_val = min(wanted, room)
    if 0 < n_val < horizon:
        n_val = horizon if horizon <= room else 0
    note = ""
    if n_val != wanted:
        windows = fit - n_val - length - horizon + 1
        if n_val > wanted:
            note = (f"Validation uses {n_val} points instead of {wanted} ({fraction:.0%}): early "
                    f"stopping needs one whole horizon. {windows} training windows remain.")
        elif n_val:
            note = (f"The series is short, so validation uses {n_val} points instead of "
                    f"{wanted} ({fraction:.0%}), leaving {windows} training windows.")
        else:
            note = ("The series is too short to set validation points aside: early stopping "
                    f"watches the training loss of the {windows} training windows.")
    return fit - n_val, note


def _stopping_end(train_end: int, val_end: int, horizon: int, level: float) -> int:
    """Where early stopping's validation targets end and the calibration slice begins.

    The calibration slice is the last `CALIBRATION_SHARE` of the validation part, shrunk so that
    early stopping keeps at least one whole window. When what remains is too small for the
    conformal rank at `level`, no slice is set aside (returns `val_end`).
    """
    n_val = val_end - train_end
    n_cal = min(int(n_val * CALIBRATION_SHARE), max(0, n_val - horizon))
    if not ev.conformal_is_exact(n_cal, level):
        return val_end
    return val_end - n_cal


def largest_window(n_points: int, horizon: int, holdout: int | None = None) -> int:
    """The longest window that still fits a series of `n_points` (0 when none does)."""
    holdout = horizon if holdout is None else holdout
    return max(0, n_points - required_points(0, horizon, holdout))


__all__ = [
    "CALIBRATION_SHARE",
    "MIN_INPUT",
    "MIN_TRAIN_WINDOWS",
    "Plan",
    "check_length",
    "default_settings",
    "largest_horizon",
    "largest_window",
    "make_plan",
    "minimum_points",
    "required_points",
]
