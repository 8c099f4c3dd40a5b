"""Run settings as frozen dataclasses, validated in one place, with a JSON round trip.

Every value a form or the CLI can set lives here. Each config checks itself in `__post_init__` and
raises `SettingsError` with one sentence naming the setting and the allowed range, so the dashboard
and the CLI show the same message.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from types import MappingProxyType
from typing import Any

from lstm_core.errors import SettingsError

# Caps that protect a shared server from one request eating all its CPU or memory.
LIMITS = MappingProxyType(
    {
        "rows": 1_000_000,
        "input_length": 1000,
        "horizon": 1000,
        "units": 512,
        "layers": 4,
        "epochs": 2000,
        "batch_size": 4096,
        "patience": 2000,
        "ensemble": 10,
        # Float bounds, shared with the dashboard's form so a loaded settings file always fits it.
        "dropout_max": 0.99,
        "learning_rate_min": 1e-6,
    }
)

ACTIVATIONS = ("tanh", "relu")
TRANSFORMS = ("auto", "none", "log")
BASES = ("auto", "seasonal_naive")


def _check_int(name: str, value: Any, low: int, high: int) -> None:
    # bool is an int subclass; `epochs=True` is a typo, not 1.
    if not isinstance(value, int) or isinstance(value, bool):
        raise SettingsError(f"{name} must be a whole number, got {value!r}.")
    if value < low:
        raise SettingsError(f"{name} must be at least {low}, got {value}.")
    if value > high:
        raise SettingsError(f"{name} must be at most {high} (server limit), got {value}.")


def _check_float(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SettingsError(f"{name} must be a finite number, got {value!r}.")
    return float(value)


@dataclass(frozen=True)
class WindowConfig:
    """How many past steps the model reads and how many it forecasts at once.

    Args:
        input_length: past steps in one input window, 1..LIMITS["input_length"].
        horizon: steps forecast from one window, 1..LIMITS["horizon"].
    """

    input_length: int
    horizon: int

    def __post_init__(self) -> None:
        _check_int("input_length", self.input_length, 1, LIMITS["input_length"])
        _check_int("horizon", self.horizon, 1, LIMITS["horizon"])


@dataclass(frozen=True)
class ModelConfig:
    """Shape of the network: `layers` stacked LSTMs of `units` each, then a Dense head.

    Args:
        units: LSTM units per layer, 1..LIMITS["units"].
        layers: stacked LSTM layers, 1..LIMITS["layers"].
        dropout: dropout rate after each LSTM layer, in [0, 0.99].
        activation: LSTM cell activation, "tanh" (fast fused kernel) or "relu".
    """

    units: int = 32
    layers: int = 1
    dropout: float = 0.0
    activation: str = "tanh"

    def __post_init__(self) -> None:
        _check_int("units", self.units, 1, LIMITS["units"])
        _check_int("layers", self.layers, 1, LIMITS["layers"])
        dropout = _check_float("dropout", self.dropout)
        if not 0.0 <= dropout <= LIMITS["dropout_max"]:
            raise SettingsError(
                f"dropout must be between 0 and {LIMITS['dropout_max']}, got {self.dropout}."
            )
        if self.activation not in ACTIVATIONS:
            raise SettingsError(
                f"activation must be one of {', '.join(ACTIVATIONS)}, got {self.activation!r}."
            )


@dataclass(frozen=True)
class TrainConfig:
    """How the network is trained.

    Args:
        epochs: maximum passes over the training windows, 1..LIMITS["epochs"].
        batch_size: windows per gradient step, 1..LIMITS["batch_size"].
        learning_rate: Adam learning rate, in [1e-6, 1].
        patience: stop after this many epochs without improvement; 0 turns early stopping off.
        validation_fraction: share of the non-holdout series used for validation, in [0, 0.5].
        seed: seed for initial weights, shuffling and dropout, 0..2**31-1.
    """

    epochs: int = 200
    batch_size: int = 32
    learning_rate: float = 0.001
    patience: int = 20
    validation_fraction: float = 0.2
    seed: int = 42

    def __post_init__(self) -> None:
        _check_int("epochs", self.epochs, 1, LIMITS["epochs"])
        _check_int("batch_size", self.batch_size, 1, LIMITS["batch_size"])
        learning_rate = _check_float("learning_rate", self.learning_rate)
        if not LIMITS["learning_rate_min"] <= learning_rate <= 1.0:
            raise SettingsError(
                f"learning_rate must be between {LIMITS['learning_rate_min']:g} and 1, "
                f"got {self.learning_rate}."
            )
        _check_int("patience", self.patience, 0, LIMITS["patience"])
        fraction = _check_float("validation_fraction", self.validation_fraction)
        if not 0.0 <= fraction <= 0.5:
            raise SettingsError(
                f"validation_fraction must be between 0 and 0.5, got {self.validation_fraction}."
            )
        _check_int("seed", self.seed, 0, 2**31 - 1)


@dataclass(frozen=True)
class Settings:
    """Everything one run needs besides the data.

    Args:
        window: input length and horizon.
        model: network shape.
        train: training loop settings.
        transform: "auto" (pipeline decides), "none" or "log" applied before scaling.
        holdout: steps kept aside for scoring; None lets the pipeline choose (one horizon).
        level: central coverage of the prediction intervals, in (0, 1).
        ensemble: models trained with seeds seed, seed+1, ... and averaged, 1..LIMITS["ensemble"].
        base: the forecast the network corrects: "auto" picks seasonal naive (with drift),
            exponential smoothing run over each window, or exponential smoothing (its form chosen
            by AICc) run over the whole history, whichever forecasts the training windows best;
            "seasonal_naive" always takes the first.
        shrink: let validation points decide how much of the network's correction to the base
            forecast is used (none, a quarter, ..., all); False always uses all of it.
    """

    window: WindowConfig
    model: ModelConfig
    train: TrainConfig
    transform: str = "auto"
    holdout: int | None = None
    level: float = 0.8
    ensemble: int = 1
    base: str = "auto"
    shrink: bool = True

    def __post_init__(self) -> None:
        parts = (("window", WindowConfig), ("model", ModelConfig), ("train", TrainConfig))
        for name, kind in parts:
            if not isinstance(getattr(self, name), kind):
                raise SettingsError(f"{name} must be a {kind.__name__}.")
        if self.transform not in TRANSFORMS:
            raise SettingsError(
                f"transform must be one of {', '.join(TRANSFORMS)}, got {self.transform!r}."
            )
        if self.holdout is not None:
            _check_int("holdout", self.holdout, 1, LIMITS["rows"])
        level = _check_float("level", self.level)
        if not 0.0 < level < 1.0:
            raise SettingsError(f"level must be above 0 and below 1, got {self.level}.")
        _check_int("ensemble", self.ensemble, 1, LIMITS["ensemble"])
        if self.base not in BASES:
            raise SettingsError(f"base must be one of {', '.join(BASES)}, got {self.base!r}.")
        if not isinstance(self.shrink, bool):
            raise SettingsError(f"shrink must be true or false, got {self.shrink!r}.")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe nested dict; `Settings.from_dict` reads it back."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Settings:
        """Build settings from a dict such as a parsed JSON settings file.

        Missing keys take their defaults (except `window`, which has none); unknown keys and
        wrong types are refused.

        Raises:
            SettingsError: unknown key, wrong type or value out of range.
        """
        if not isinstance(data, dict):
            raise SettingsError("settings must be a JSON object.")
        _reject_unknown("settings", data, cls)
        if "window" not in data:
            raise SettingsError("settings must contain a window section.")
        parts = {
            "window": _section("window", data.get("window"), WindowConfig),
            "model": _section("model", data.get("model", {}), ModelConfig),
            "train": _section("train", data.get("train", {}), TrainConfig),
        }
        top = {k: v for k, v in data.items() if k not in parts}
        return cls(**parts, **top)


def _reject_unknown(where: str, data: dict, kind: type) -> None:
    allowed = {f.name for f in fields(kind)}
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise SettingsError(
            f"Unknown {where} key {unknown[0]!r}; allowed keys are {', '.join(sorted(allowed))}."
        )


def _section(name: str, data: Any, kind: type) -> Any:
    if not isinstance(data, dict):
        raise SettingsError(f"{name} must be a JSON object.")
    _reject_unknown(name, data, kind)
    try:
        return kind(**data)
    except TypeError as exc:  # a required key is missing
        raise SettingsError(f"{name} is incomplete: {exc}.") from None
