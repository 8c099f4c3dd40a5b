"""The forecasting network: `Input → LSTM × layers → Dense(horizon)`, built from plain Keras layers.

Only standard layers are used so a saved `.keras` file loads with
`keras.saving.load_model(path, safe_mode=True)`. Every initializer gets its own explicit seed
derived from the run seed, so the same seed gives the same weights without touching Keras' global
random state (trainings run in background threads while other sessions call `clear_session()`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lstm_core.config import ModelConfig, WindowConfig

if TYPE_CHECKING:
    import keras


def layer_seeds(seed: int, count: int) -> list[int]:
    """Derive `count` independent 31-bit seeds from one run seed (stable across versions)."""
    state = np.random.SeedSequence(seed).generate_state(count, dtype=np.uint32)
    return [int(s) >> 1 for s in state]


def build_model(
    window: WindowConfig, model: ModelConfig, seed: int, features: int = 1
) -> keras.Model:
    """Build an untrained forecasting network.

    Args:
        window: input length (time steps read) and horizon (values forecast at once).
        model: units per LSTM layer, number of layers, dropout after each LSTM, cell activation.
        seed: run seed; the same seed gives bit-identical initial weights.
        features: values read per time step (1: the series; more with extra input channels).

    Returns:
        A `keras.Model` mapping `(batch, input_length, features)` to `(batch, horizon)`, not
        compiled (train it with `lstm_core.trainer.train`).
    """
    import keras

    seeds = iter(layer_seeds(seed, 3 * model.layers + 1))
    inputs = keras.Input((window.input_length, features), name="window")
    x = inputs
    for number in range(1, model.layers + 1):
        x = keras.layers.LSTM(
            model.units,
            activation=model.activation,
            return_sequences=number < model.layers,  # (batch, input_length, units) between layers
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
            name=f"lstm_{number}",
        )(x)
        dropout_seed = next(seeds)
        if model.dropout > 0:
            x = keras.layers.Dropout(model.dropout, seed=dropout_seed, name=f"dropout_{number}")(x)
    outputs = keras.layers.Dense(
        window.horizon,
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        name="forecast",
    )(x)  # (batch, horizon)
    return keras.Model(inputs, outputs, name="lstm_forecaster")
