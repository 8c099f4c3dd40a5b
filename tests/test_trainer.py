"""The compiled trainer: reproducibility, stopping, early stopping, fused-kernel correctness,
threads, memory, and the compiled forecast/predict helpers. Tiny models only."""

import gc
import os
import threading

import keras
import numpy as np
import pytest

from lstm_core import trainer
from lstm_core.config import ModelConfig, TrainConfig, WindowConfig
from lstm_core.errors import SettingsError
from lstm_core.model import build_model
from lstm_core.trainer import predict, recursive_forecast, train
from lstm_core.windows import make_windows


def _data(input_length: int = 8, horizon: int = 1, n: int = 160):
    t = np.arange(n)
    series = np.sin(t / 4.0) + 0.05 * np.random.default_rng(0).normal(size=n)
    X, y = make_windows(series, input_length, horizon)
    cut = int(len(X) * 0.8)
    return X[:cut], y[:cut], X[cut:], y[cut:]


def _model(units: int = 6, layers: int = 1, dropout: float = 0.0, activation: str = "tanh",
           input_length: int = 8, horizon: int = 1, seed: int = 0) -> keras.Model:
    return build_model(WindowConfig(input_length, horizon),
                       ModelConfig(units, layers, dropout, activation), seed)


def _mse(model, X, y) -> float:
    return float(np.mean((predict(model, X).astype(np.float64) - y) ** 2))


def test_same_seed_gives_identical_history_and_predictions():
    X, y, Xv, yv = _data()
    config = TrainConfig(epochs=6, batch_size=16, learning_rate=0.01, patience=0, seed=5)
    runs = [
        train(_model(layers=2, dropout=0.2), X, y, Xv, yv, config) for _ in range(2)
    ]
    assert runs[0].history == runs[1].history
    np.testing.assert_array_equal(predict(runs[0].model, Xv), predict(runs[1].model, Xv))
    other = train(_model(layers=2, dropout=0.2), X, y, Xv, yv,
                  TrainConfig(epochs=6, batch_size=16, learning_rate=0.01, patience=0, seed=6))
    assert other.history != runs[0].history  # the seed drives shuffling and dropout


def test_training_learns_and_reports_every_epoch():
    X, y, Xv, yv = _data()
    seen = []
    result = train(_model(), X, y, Xv, yv,
                   TrainConfig(epochs=15, batch_size=16, learning_rate=0.02, patience=0),
                   on_epoch=lambda epoch, logs: seen.append((epoch, sorted(logs))))
    assert seen == [(e, ["loss", "val_loss"]) for e in range(1, 16)]
    assert result.epochs_run == 15 and not result.stopped
    assert result.history["loss"][-1] < result.history["loss"][0] / 2
    # The model holds the best epoch's weights: its validation loss is the recorded minimum.
    assert result.best_epoch == 1 + int(np.argmin(result.history["val_loss"]))
    assert _mse(result.model, Xv, yv) == pytest.approx(min(result.history["val_loss"]), rel=1e-4)


def test_stop_request_is_honoured_within_one_epoch_and_keeps_best_weights():
    X, y, Xv, yv = _data()
    epochs = []
    result = train(_model(), X, y, Xv, yv,
                   TrainConfig(epochs=100, batch_size=16, learning_rate=0.05, patience=0),
                   on_epoch=lambda epoch, logs: epochs.append(epoch),
                   should_stop=lambda: len(epochs) >= 4)
    assert result.stopped
    assert result.epochs_run == 4 == len(result.history["val_loss"])
    best = min(result.history["val_loss"])
    assert result.best_epoch == 1 + result.history["val_loss"].index(best)
    assert _mse(result.model, Xv, yv) == pytest.approx(best, rel=1e-4)


def test_early_stopping_restores_best_weights():
    X, y, Xv, yv = _data()
    # Validation targets are the negated series: the better the fit, the worse val_loss gets.
    result = train(_model(), X, y, Xv, -yv,
                   TrainConfig(epochs=200, batch_size=16, learning_rate=0.02, patience=3))
    assert result.epochs_run < 200
    assert result.epochs_run - result.best_epoch == 3
    best = min(result.history["val_loss"])
    assert result.history["val_loss"][result.best_epoch - 1] == best
    assert _mse(result.model, Xv, -yv) == pytest.approx(best, rel=1e-4)


def test_without_validation_data_early_stopping_watches_loss():
    X, y, _, _ = _data()
    result = train(_model(), X, y, None, None,
                   TrainConfig(epochs=5, batch_size=32, learning_rate=0.01, patience=2))
    assert result.history["val_loss"] == []
    assert result.best_epoch == 1 + int(np.argmin(result.history["loss"]))


def test_wrong_window_shapes_are_refused():
    X, y, Xv, yv = _data()
    with pytest.raises(SettingsError) as info:
        train(_model(input_length=9), X, y, Xv, yv, TrainConfig(epochs=1))
    assert str(info.value) == (
        "Training windows must have shapes (n, 9, 1) and (n, 1), got (121, 8, 1) and (121, 1)."
    )


@pytest.mark.parametrize("layers", [1, 2])
def test_fused_kernel_matches_keras_forward_and_generic_gradients(layers):
    import tensorflow as tf

    model = _model(units=5, layers=layers, input_length=7, horizon=2, seed=3)
    X = tf.constant(np.random.default_rng(1).normal(size=(9, 7, 1)).astype(np.float32))
    y = tf.constant(np.random.default_rng(2).normal(size=(9, 2)).astype(np.float32))
    described = trainer._describe(model)
    params = [tf.Variable(v.numpy()) for v in trainer._weights(described)]
    expected = model(X, training=False).numpy()
    grads = {}
    for fused in (True, False):
        with tf.GradientTape() as tape:
            prepared = trainer._prepare(tf, described, params, fused)
            out = trainer._forward(tf, described, prepared, X)
            loss = tf.reduce_mean(tf.square(out - y))
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)
        grads[fused] = [g.numpy() for g in tape.gradient(loss, params)]
    for fused_grad, generic_grad in zip(grads[True], grads[False], strict=True):
        np.testing.assert_allclose(fused_grad, generic_grad, rtol=1e-4, atol=1e-6)


def test_time_major_engine_input_matches_the_saved_keras_model(tmp_path):
    """The trainer feeds its data time-major; a trained, saved and reloaded plain Keras model
    must forecast what the trainer's maths computes on that layout."""
    import tensorflow as tf

    X, y, Xv, yv = _data()
    result = train(_model(units=5, layers=2), X, y, Xv, yv,
                   TrainConfig(epochs=2, batch_size=16, patience=0))
    path = tmp_path / "model.keras"
    result.model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    described = trainer._describe(result.model)
    prepared = trainer._prepare(tf, described, trainer._weights(described), trainer._FUSED)
    windows = Xv.astype(np.float32).reshape(len(Xv), -1, 1)
    ours = trainer._forward(tf, described, prepared, tf.constant(windows.transpose(1, 0, 2)),
                            time_major=True).numpy()
    np.testing.assert_allclose(ours, loaded(windows).numpy(), rtol=1e-5, atol=1e-5)


def test_fused_and_generic_training_agree(monkeypatch):
    X, y, Xv, yv = _data()
    config = TrainConfig(epochs=3, batch_size=16, learning_rate=0.01, patience=0)
    fused = train(_model(), X, y, Xv, yv, config)
    monkeypatch.setattr(trainer, "_FUSED", False)
    generic = train(_model(), X, y, Xv, yv, config)
    np.testing.assert_allclose(fused.history["loss"], generic.history["loss"], rtol=1e-4)
    np.testing.assert_allclose(predict(fused.model, Xv), predict(generic.model, Xv),
                               rtol=1e-4, atol=1e-5)


def test_relu_model_trains_and_matches_keras():
    X, y, Xv, yv = _data()
    result = train(_model(activation="relu"), X, y, Xv, yv,
                   TrainConfig(epochs=3, batch_size=16, patience=0))
    np.testing.assert_allclose(predict(result.model, Xv), result.model(Xv).numpy(),
                               rtol=1e-5, atol=1e-6)


def test_trains_in_a_thread_while_sessions_are_cleared():
    X, y, Xv, yv = _data()
    config = TrainConfig(epochs=20, batch_size=16, learning_rate=0.01, patience=0, seed=1)
    reference = train(_model(), X, y, Xv, yv, config)
    box = {}

    def work() -> None:
        try:
            box["result"] = train(_model(), X, y, Xv, yv, config)
        except Exception as exc:  # surfaced in the main thread below
            box["error"] = exc

    worker = threading.Thread(target=work)
    worker.start()
    while worker.is_alive():
        keras.backend.clear_session(free_memory=False)
        worker.join(0.005)
    assert "error" not in box, box.get("error")
    result = box["result"]
    assert result.history == reference.history
    keras.backend.clear_session()
    np.testing.assert_array_equal(predict(result.model, Xv), predict(reference.model, Xv))
    assert result.model(Xv).shape == (len(Xv), 1)


def test_recursive_forecast_equals_a_python_loop():
    model = _model(units=4, input_length=5, seed=2)
    window = np.linspace(-1, 1, 5)
    forecast = recursive_forecast(model, window, 12)
    current, expected = list(window), []
    for _ in range(12):
        value = float(model(np.array(current[-5:], np.float32)[None, :, None])[0, 0])
        expected.append(value)
        current.append(value)
    assert forecast.shape == (12,)
    np.testing.assert_allclose(forecast, expected, rtol=1e-5, atol=1e-6)


def test_recursive_forecast_with_multi_step_model():
    model = _model(units=4, input_length=3, horizon=2, seed=2)
    window = np.array([0.1, 0.2, 0.3])
    first = model(window.astype(np.float32)[None, :, None]).numpy()[0]
    second = model(np.array([0.3, *first], np.float32)[None, :, None]).numpy()[0]
    np.testing.assert_allclose(recursive_forecast(model, window, 3), [*first, second[0]],
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(SettingsError) as info:
        recursive_forecast(model, np.zeros(4), 3)
    assert str(info.value) == "The forecast window must hold 3 values, got 4."


def test_predict_matches_direct_call_in_batches():
    model = _model(units=4, layers=2)
    X = np.random.default_rng(0).normal(size=(25, 8, 1)).astype(np.float32)
    np.testing.assert_allclose(predict(model, X, batch_size=7), model(X).numpy(),
                               rtol=1e-5, atol=1e-6)
    assert predict(model, X[:0]).shape == (0, 1)


def _resident_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_repeated_trainings_do_not_grow_memory():
    X, y, Xv, yv = _data()
    config = TrainConfig(epochs=2, batch_size=32, patience=0)
    for _ in range(2):  # warm-up: first traces allocate caches that stay
        train(_model(), X, y, Xv, yv, config)
    gc.collect()
    before = _resident_mb()
    for _ in range(6):
        train(_model(), X, y, Xv, yv, config)
    gc.collect()
    assert _resident_mb() - before < 40


def test_an_ensemble_trained_in_one_step_matches_its_members_trained_alone():
    """Members side by side (block-diagonal weights) follow the paths they follow alone."""
    from lstm_core.trainer import _combine, _describe, _member_weights, train_ensemble

    rng = np.random.default_rng(0)
    values = np.sin(np.arange(300) / 5) + rng.normal(0, 0.1, 300)
    X, y = make_windows(values, 12, 3)
    window, shape = WindowConfig(12, 3), ModelConfig(units=5, layers=2)
    config = TrainConfig(epochs=4, batch_size=32, patience=0, seed=3)
    members = [build_model(window, shape, seed) for seed in (1, 2, 3)]
    described = [_describe(m) for m in members]
    combined, masks = _combine(described)
    split = _member_weights(combined, [v.numpy() for lay in combined for v in lay.variables], 3)
    for layers, values_ in zip(described, split, strict=True):  # combining is lossless
        for original, back in zip([v.numpy() for lay in layers for v in lay.variables], values_,
                                  strict=True):
            np.testing.assert_array_equal(original, back)
    alone = [build_model(window, shape, seed) for seed in (1, 2, 3)]
    for model in alone:
        train(model, X[:220], y[:220], X[220:], y[220:], config)
    results = train_ensemble(members, X[:220], y[:220], X[220:], y[220:], config)
    assert [r.epochs_run for r in results] == [4, 4, 4]
    for single, member in zip(alone, members, strict=True):
        np.testing.assert_allclose(predict(member, X[220:]), predict(single, X[220:]), atol=2e-3)
    assert not np.allclose(predict(members[0], X[220:]), predict(members[1], X[220:]))


def test_a_last_batch_of_one_window_trains_finite_and_reproducibly():
    """65 windows in batches of 64: the one-window batch must not be split into an empty half."""
    rng = np.random.default_rng(5)
    values = np.cumsum(rng.normal(0, 1, 90))
    X, y = make_windows(values, 12, 6)
    X, y = X[:65], y[:65]
    config = TrainConfig(epochs=15, batch_size=64, learning_rate=0.01, patience=0, seed=1)
    histories = []
    for _ in range(3):
        model = build_model(WindowConfig(12, 6), ModelConfig(units=8), seed=2)
        histories.append(train(model, X, y, None, None, config).history["loss"])
    assert all(np.isfinite(h).all() for h in histories)
    assert histories[0] == histories[1] == histories[2]
