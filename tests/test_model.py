"""The network builder: shapes, seeding without global state, and safe save/load."""

import keras
import numpy as np

from lstm_core.config import ModelConfig, WindowConfig
from lstm_core.model import build_model
from lstm_core.trainer import predict


def _inputs(n: int = 5, length: int = 6) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(n, length, 1)).astype(np.float32)


def test_shapes_and_layers():
    model = build_model(WindowConfig(6, 3), ModelConfig(units=4, layers=2, dropout=0.2), seed=1)
    assert model.input_shape == (None, 6, 1)
    assert model.output_shape == (None, 3)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["InputLayer", "LSTM", "Dropout", "LSTM", "Dropout", "Dense"]
    assert model.get_layer("lstm_1").return_sequences
    assert not model.get_layer("lstm_2").return_sequences
    assert model(_inputs()).shape == (5, 3)


def test_relu_activation_is_used():
    model = build_model(WindowConfig(6, 1), ModelConfig(units=4, activation="relu"), seed=1)
    assert model.get_layer("lstm_1").get_config()["activation"] == "relu"


def test_same_seed_same_weights_without_global_seed():
    config = ModelConfig(units=4, layers=2)
    first = build_model(WindowConfig(6, 2), config, seed=11)
    keras.utils.set_random_seed(999)  # global state must not matter
    second = build_model(WindowConfig(6, 2), config, seed=11)
    other = build_model(WindowConfig(6, 2), config, seed=12)
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert any(
        not np.array_equal(a, b)
        for a, b in zip(first.get_weights(), other.get_weights(), strict=True)
    )


def test_saved_model_loads_in_safe_mode_with_identical_predictions(tmp_path):
    model = build_model(WindowConfig(6, 2), ModelConfig(units=4, layers=2, dropout=0.1), seed=3)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    X = _inputs()
    np.testing.assert_array_equal(loaded(X).numpy(), model(X).numpy())
    np.testing.assert_array_equal(predict(loaded, X), predict(model, X))
