"""Settings validation, limits, JSON round trip and automatic defaults."""

import json

import pytest

from lstm_core.config import (
    ModelConfig,
    Settings,
    TrainConfig,
    WindowConfig,
)
from lstm_core.errors import SettingsError


def _settings() -> Settings:
    return Settings(
        window=WindowConfig(24, 6),
        model=ModelConfig(units=16, layers=2, dropout=0.1, activation="relu"),
        train=TrainConfig(epochs=50, batch_size=16, learning_rate=0.01, patience=5,
                          validation_fraction=0.1, seed=7),
        transform="log",
        holdout=12,
        level=0.9,
        ensemble=3,
    )


def test_json_round_trip_is_exact():
    settings = _settings()
    text = json.dumps(settings.to_dict())
    assert Settings.from_dict(json.loads(text)) == settings


def test_from_dict_fills_defaults_for_missing_sections():
    settings = Settings.from_dict({"window": {"input_length": 12, "horizon": 3}})
    assert settings.model == ModelConfig()
    assert settings.train == TrainConfig()
    assert settings.holdout is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"input_length": 0, "horizon": 1}, "input_length must be at least 1, got 0."),
        ({"input_length": 1001, "horizon": 1},
         "input_length must be at most 1000 (server limit), got 1001."),
        ({"input_length": 12, "horizon": 1001},
         "horizon must be at most 1000 (server limit), got 1001."),
        ({"input_length": 12.5, "horizon": 1}, "input_length must be a whole number, got 12.5."),
    ],
)
def test_window_messages(kwargs, message):
    with pytest.raises(SettingsError) as info:
        WindowConfig(**kwargs)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"units": 513}, "units must be at most 512 (server limit), got 513."),
        ({"layers": 5}, "layers must be at most 4 (server limit), got 5."),
        ({"dropout": 1.0}, "dropout must be between 0 and 0.99, got 1.0."),
        ({"dropout": -0.1}, "dropout must be between 0 and 0.99, got -0.1."),
        ({"activation": "sigmoid"}, "activation must be one of tanh, relu, got 'sigmoid'."),
        ({"units": True}, "units must be a whole number, got True."),
    ],
)
def test_model_messages(kwargs, message):
    with pytest.raises(SettingsError) as info:
        ModelConfig(**kwargs)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "epochs must be at least 1, got 0."),
        ({"epochs": 2001}, "epochs must be at most 2000 (server limit), got 2001."),
        ({"batch_size": 4097}, "batch_size must be at most 4096 (server limit), got 4097."),
        ({"learning_rate": 0}, "learning_rate must be between 1e-06 and 1, got 0."),
        ({"learning_rate": float("nan")}, "learning_rate must be a finite number, got nan."),
        ({"patience": -1}, "patience must be at least 0, got -1."),
        ({"validation_fraction": 0.6},
         "validation_fraction must be between 0 and 0.5, got 0.6."),
    ],
)
def test_train_messages(kwargs, message):
    with pytest.raises(SettingsError) as info:
        TrainConfig(**kwargs)
    assert str(info.value) == message


def test_settings_messages():
    base = {"window": WindowConfig(12, 3), "model": ModelConfig(), "train": TrainConfig()}
    with pytest.raises(SettingsError) as info:
        Settings(**base, level=1.0)
    assert str(info.value) == "level must be above 0 and below 1, got 1.0."
    with pytest.raises(SettingsError) as info:
        Settings(**base, transform="sqrt")
    assert str(info.value) == "transform must be one of auto, none, log, got 'sqrt'."
    with pytest.raises(SettingsError) as info:
        Settings(**base, ensemble=11)
    assert str(info.value) == "ensemble must be at most 10 (server limit), got 11."


def test_from_dict_rejects_unknown_keys_and_wrong_types():
    data = _settings().to_dict()
    data["model"]["unit"] = 3
    with pytest.raises(SettingsError) as info:
        Settings.from_dict(data)
    assert str(info.value) == (
        "Unknown model key 'unit'; allowed keys are activation, dropout, layers, units."
    )
    data = _settings().to_dict()
    data["colour"] = "red"
    with pytest.raises(SettingsError) as info:
        Settings.from_dict(data)
    assert str(info.value).startswith("Unknown settings key 'colour'")
    data = _settings().to_dict()
    data["train"]["epochs"] = "50"
    with pytest.raises(SettingsError) as info:
        Settings.from_dict(data)
    assert str(info.value) == "epochs must be a whole number, got '50'."
    with pytest.raises(SettingsError) as info:
        Settings.from_dict({"window": [12, 3]})
    assert str(info.value) == "window must be a JSON object."
    with pytest.raises(SettingsError) as info:
        Settings.from_dict({"window": {"input_length": 12}})
    assert str(info.value).startswith("window is incomplete")


def test_configs_are_frozen():
    with pytest.raises(AttributeError):
        TrainConfig().epochs = 3  # type: ignore[misc]
