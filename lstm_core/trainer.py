"""Fast, reproducible, thread-safe training and inference for the forecasting network.

`model.fit` pays about 50 ms of Python and callback overhead per epoch. Here one `tf.function`
runs a whole epoch (every shuffled batch, the Adam updates and the validation loss) and Python is
entered once per epoch to report progress, check for a stop request and keep the best weights.

The compiled graph does not call the Keras layers: it reads their weights into private
`tf.Variable`s and evaluates the same maths directly. LSTM layers with the default tanh/sigmoid
activations use TensorFlow's fused CPU kernel `BlockLSTM` (weights reordered from Keras' IFCO gate
layout to its ICFO layout inside the graph); other activations (relu) use a generic cell. When
training ends the best weights are written back into the Keras model, which stays a plain
`keras.layers.LSTM` model.

Nothing here touches global Keras or TensorFlow state: each `train` call builds its own optimizer
state and functions and drops them when done; seeds are explicit (numpy `Generator` for shuffling,
stateless random ops for dropout).
"""

from __future__ import annotations

import collections
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from lstm_core.config import TrainConfig
from lstm_core.errors import SettingsError

if TYPE_CHECKING:
    import keras

# Sequences up to this length are unrolled in the generic (non-fused) cell; longer ones loop.
_UNROLL_LIMIT = 32
# Validation and prediction run in chunks so memory stays bounded for long windows.
_SPLIT_MIN_BATCH = 64
_EVAL_CHUNK = 1024
# Fastest measured combination (bench/train_speed.py); tests flip these to compare paths.
_FUSED = True
_JIT = False
# Keras' Adam defaults, which the optimizer below reproduces.
_BETA_1, _BETA_2, _EPSILON = 0.9, 0.999, 1e-7


@dataclass(frozen=True)
class TrainResult:
    """Outcome of one training.

    Attributes:
        model: the Keras model, holding the best weights seen (lowest monitored loss).
        history: `{"loss": [...], "val_loss": [...]}`, one float per epoch run; `val_loss` is
            empty when there was no validation data.
        best_epoch: 1-based epoch whose weights the model holds.
        stopped: True when `should_stop()` ended the training early.
        seconds: wall time of the whole call, compile included.
        epochs_run: epochs completed (equal to `len(history["loss"])`).
    """

    model: Any
    history: dict[str, list[float]] = field(repr=False)
    best_epoch: int
    stopped: bool
    seconds: float
    epochs_run: int


@dataclass(frozen=True)
class _Layer:
    """One layer of a supported model, reduced to what the compiled maths needs."""

    kind: str  # "lstm" | "dropout" | "dense"
    variables: tuple = ()
    activation: str = ""
    return_sequences: bool = False
    rate: float = 0.0


def _describe(model: Any) -> tuple[_Layer, ...]:
    """Reduce a model from `build_model` (or the same layer pattern) to `_Layer`s.

    Raises:
        ValueError: the model holds layers or options the compiled path does not implement.
    """
    import keras

    layers: list[_Layer] = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        config = layer.get_config()
        if isinstance(layer, keras.layers.LSTM):
            unsupported = (
                not config["use_bias"]
                or config["recurrent_activation"] != "sigmoid"
                or config["activation"] not in ("tanh", "relu")
                or config["go_backwards"]
                or config["stateful"]
                or config["return_state"]
                or config["dropout"]
                or config["recurrent_dropout"]
            )
            if unsupported:
                raise ValueError(f"LSTM layer {layer.name!r} uses options train() cannot run.")
            cell = layer.cell
            layers.append(
                _Layer(
                    "lstm",
                    (cell.kernel, cell.recurrent_kernel, cell.bias),
                    activation=config["activation"],
                    return_sequences=bool(config["return_sequences"]),
                )
            )
        elif isinstance(layer, keras.layers.Dropout):
            layers.append(_Layer("dropout", rate=float(config["rate"])))
        elif isinstance(layer, keras.layers.Dense):
            if not config["use_bias"] or config["activation"] != "linear":
                raise ValueError(f"Dense layer {layer.name!r} must be linear with a bias.")
            layers.append(_Layer("dense", (layer.kernel, layer.bias)))
        else:
            raise ValueError(f"Layer {layer.name!r} ({type(layer).__name__}) is not supported.")
    kinds = [layer.kind for layer in layers]
    if not kinds or kinds[-1] != "dense" or kinds.count("dense") != 1 or "lstm" not in kinds:
        raise ValueError("The model must be LSTM layers (optionally with Dropout) then one Dense.")
    last_lstm = max(i for i, kind in enumerate(kinds) if kind == "lstm")
    for i, layer in enumerate(layers):
        if layer.kind == "lstm" and layer.return_sequences != (i != last_lstm):
            raise ValueError("Only the last LSTM layer may return a single vector.")
    return tuple(layers)


def _signature(layers: tuple[_Layer, ...]) -> tuple:
    """Hashable description of the architecture (for the inference function cache)."""
    return tuple(
        (layer.kind, layer.activation, layer.return_sequences, layer.rate,
         tuple(tuple(v.shape) for v in layer.variables))
        for layer in layers
    )


def _prepare(tf: Any, layers: tuple[_Layer, ...], weights: list, fused: bool) -> list:
    """Turn Keras-layout weights into what `_forward` consumes (differentiable, graph ops).

    A fused LSTM gets `(w, b)`: BlockLSTM wants `w = [kernel; recurrent]` with gates in ICFO order,
    while Keras stores IFCO. (BlockLSTMV2 takes IFCO, but TF 2.21 registers V1's ICFO gradient for
    it, which swaps the forget and cell gradients; V1 with reordered weights is correct.)
    """
    prepared, position = [], 0
    for layer in layers:
        if layer.kind == "lstm":
            kernel, recurrent, bias = weights[position:position + 3]
            position += 3
            if fused and layer.activation == "tanh":
                i, f, c, o = tf.split(tf.concat([kernel, recurrent], axis=0), 4, axis=1)
                bi, bf, bc, bo = tf.split(bias, 4)
                prepared.append((tf.concat([i, c, f, o], 1), tf.concat([bi, bc, bf, bo], 0)))
            else:
                prepared.append((kernel, recurrent, bias))
        elif layer.kind == "dense":
            prepared.append(tuple(weights[position:position + 2]))
            position += 2
        else:
            prepared.append(())
    return prepared


def _lstm_sequence(tf: Any, x: Any, weights: tuple, activation: str) -> Any:
    """Run one LSTM layer over a time-major sequence.

    Args:
        x: (time, batch, features).
        weights: `(w, b)` for the fused kernel, or Keras' `(kernel, recurrent, bias)`:
            kernel (features, 4 * units), recurrent (units, 4 * units), bias (4 * units,),
            gates in Keras' order input, forget, cell, output.

    Returns:
        Hidden states, (time, batch, units).
    """
    units = weights[-1].shape[0] // 4
    zeros = tf.zeros(tf.stack([tf.shape(x)[1], units]), dtype=x.dtype)
    if len(weights) == 2:
        w, b = weights
        no_peephole = tf.zeros([units], dtype=x.dtype)
        outputs = tf.raw_ops.BlockLSTM(
            seq_len_max=tf.cast(tf.shape(x)[0], tf.int64), x=x, cs_prev=zeros, h_prev=zeros,
            w=w, wci=no_peephole, wcf=no_peephole, wco=no_peephole, b=b, forget_bias=0.0,
            cell_clip=-1.0, use_peephole=False,
        )
        return outputs[6]  # h: (time, batch, units)
    kernel, recurrent, bias = weights
    act = tf.nn.tanh if activation == "tanh" else tf.nn.relu
    steps = x.shape[0]
    # One matmul for every time step's input projection: (time, batch, 4 * units).
    flat = tf.reshape(x, [-1, x.shape[-1]])
    projected = tf.reshape(
        tf.matmul(flat, kernel) + bias, tf.stack([-1, tf.shape(x)[1], 4 * units])
    )

    def cell(z_x: Any, h: Any, c: Any) -> tuple[Any, Any]:
        z = z_x + tf.matmul(h, recurrent)
        i, f, g, o = tf.split(z, 4, axis=-1)
        c = tf.sigmoid(f) * c + tf.sigmoid(i) * act(g)
        return tf.sigmoid(o) * act(c), c

    if steps is not None and steps <= _UNROLL_LIMIT:
        h, c, states = zeros, zeros, []
        for t in range(steps):
            h, c = cell(projected[t], h, c)
            states.append(h)
        return tf.stack(states)

    def body(t: Any, h: Any, c: Any, states: Any) -> tuple:
        h, c = cell(projected[t], h, c)
        return t + 1, h, c, states.write(t, h)

    n_steps = tf.shape(x)[0]
    _, _, _, states = tf.while_loop(
        lambda t, *_: t < n_steps, body,
        (tf.constant(0), zeros, zeros, tf.TensorArray(x.dtype, size=n_steps)),
        maximum_iterations=steps,  # static when known, which XLA needs
    )
    return states.stack()


def _forward(tf: Any, layers: tuple[_Layer, ...], prepared: list, x: Any,
             dropout_seeds: Any = None, time_major: bool = False) -> Any:
    """Evaluate the network on `x: (batch, input_length, features)`; returns `(batch, horizon)`.

    `prepared` comes from `_prepare`. `dropout_seeds` (int32 tensor (n_dropout_layers, 2)) switches
    dropout on, as in training. With `time_major`, `x` is already `(input_length, batch, 1)`: the
    trainer transposes its data once per training, because per-batch transposes took about a
    sixth of a training step's op time (oneDNN's transpose has a high fixed cost on such small
    tensors).
    """
    # (time, batch, features): the layout the LSTM kernels want
    h = x if time_major else tf.transpose(x, [1, 0, 2])
    dropout_index = 0
    for layer, weights in zip(layers, prepared, strict=True):
        if layer.kind == "lstm":
            sequence = _lstm_sequence(tf, h, weights, layer.activation)
            h = sequence if layer.return_sequences else sequence[-1]  # (batch, units) at the end
        elif layer.kind == "dropout":
            if dropout_seeds is not None and layer.rate > 0:
                keep = tf.random.stateless_uniform(tf.shape(h), dropout_seeds[dropout_index])
                h = tf.where(keep >= layer.rate, h / (1.0 - layer.rate), tf.zeros_like(h))
            dropout_index += 1
        else:
            kernel, bias = weights
            h = tf.matmul(h, kernel) + bias  # (batch, horizon)
    return h


def _float_arrays(name: str, X: np.ndarray, y: np.ndarray, input_length: int,
                  horizon: int, features: int = 1) -> tuple[np.ndarray, np.ndarray]:
    X = np.ascontiguousarray(X, dtype=np.float32)
    y = np.ascontiguousarray(y, dtype=np.float32)
    if y.ndim == 1:
        y = y[:, None]
    if X.ndim == 2:
        X = X[:, :, None]
    shape = (input_length, features)
    if X.shape[1:] != shape or y.shape[1:] != (horizon,) or len(X) != len(y):
        raise SettingsError(
            f"{name} windows must have shapes (n, {input_length}, {features}) and "
            f"(n, {horizon}), got {X.shape} and {y.shape}."
        )
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise SettingsError(f"{name} windows contain missing or infinite values.")
    return X, y


class _Engine:
    """The compiled epoch of one training call, with its own variables and Adam state."""

    def __init__(self, layers: tuple[_Layer, ...], config: TrainConfig, n_train: int,
                 n_val: int, fused: bool, jit: bool = False,
                 masks: list[np.ndarray | None] | None = None) -> None:
        import tensorflow as tf

        self.tf = tf
        self.layers = layers
        # Closures below use these locals, not `self`, so no reference cycle keeps graphs alive.
        params = [
            tf.Variable(np.asarray(v.numpy(), dtype=np.float32), trainable=True)
            for layer in layers for v in layer.variables
        ]
        # Masks keep the off-diagonal blocks of a combined ensemble at zero (see train_ensemble).
        constants = [None if m is None else tf.constant(m, tf.float32)
                     for m in (masks or [None] * len(params))]

        def effective(values: list) -> list:
            return [v if m is None else v * m for v, m in zip(values, constants, strict=True)]

        moments = [tf.Variable(tf.zeros_like(p), trainable=False) for p in params]
        velocities = [tf.Variable(tf.zeros_like(p), trainable=False) for p in params]
        counter = tf.Variable(0, dtype=tf.int64, trainable=False)
        n_dropout = sum(1 for layer in layers if layer.kind == "dropout")
        self.params = params
        batch = min(config.batch_size, n_train)
        n_batches = -(-n_train // batch)
        val_chunk = min(max(n_val, 1), _EVAL_CHUNK)
        n_chunks = -(-n_val // val_chunk)
        lr = tf.constant(config.learning_rate, tf.float32)
        # Data-parallel halves pay off with two or more cores and batches worth splitting; with
        # dropout the single path keeps its random masks as they are.
        split = bool(batch >= _SPLIT_MIN_BATCH and not n_dropout and (os.cpu_count() or 1) >= 2)
        adam_constants = [tf.constant(c) for c in (_BETA_1, _BETA_2, _EPSILON)]

        def train_step(xb: Any, yb: Any, seed: Any) -> Any:
            counter.assign_add(1)
            seeds = None
            if n_dropout:
                # One stateless seed pair per dropout layer and step: reproducible, no globals.
                base = tf.stack([seed, tf.cast(counter, tf.int32)])
                seeds = base[None, :] + tf.range(n_dropout)[:, None] * tf.constant([1, 0])
            with tf.GradientTape() as tape:
                prepared = _prepare(tf, layers, effective(params), fused)
                if split:
                    # Two independent halves: TensorFlow runs their forward and backward passes
                    # on both cores at once (measured +45-70 % samples/s on 2 cores). Same loss
                    # (sum over the batch / count), only the summation order differs. A last
                    # batch of one window is not split: an empty half through BlockLSTM's
                    # gradient gave NaN weights at random (seen with 65 windows, batch 64).
                    size = tf.shape(yb)[0]
                    half = size // 2

                    def halves() -> Any:
                        out_a = _forward(tf, layers, prepared, xb[:, :half], time_major=True)
                        out_b = _forward(tf, layers, prepared, xb[:, half:], time_major=True)
                        return (tf.reduce_sum(tf.square(out_a - yb[:half]))
                                + tf.reduce_sum(tf.square(out_b - yb[half:])))

                    def whole() -> Any:
                        out = _forward(tf, layers, prepared, xb, time_major=True)
                        return tf.reduce_sum(tf.square(out - yb))

                    sse = tf.cond(size >= 2, halves, whole)
                    loss = sse / tf.cast(tf.size(yb), tf.float32)
                else:
                    out = _forward(tf, layers, prepared, xb, dropout_seeds=seeds,
                                   time_major=True)
                    loss = tf.reduce_mean(tf.square(out - yb))
            grads = tape.gradient(loss, params)
            t = tf.cast(counter, tf.float32)
            b1_power, b2_power = tf.pow(_BETA_1, t), tf.pow(_BETA_2, t)
            updates = [
                tf.raw_ops.ResourceApplyAdam(
                    var=p.handle, m=m.handle, v=v.handle, beta1_power=b1_power,
                    beta2_power=b2_power, lr=lr, beta1=adam_constants[0],
                    beta2=adam_constants[1], epsilon=adam_constants[2], grad=g,
                )
                for p, m, v, g in zip(params, moments, velocities, grads, strict=True)
            ]
            with tf.control_dependencies(updates):
                return tf.identity(loss)

        def epoch(x: Any, y: Any, xv: Any, yv: Any, order: Any, seed: Any) -> tuple[Any, Any]:
            # Inputs are time-major, x: (input_length, n_train, 1), xv: (input_length, n_val, 1).
            shuffled_x, shuffled_y = tf.gather(x, order, axis=1), tf.gather(y, order)

            # One traced step serves every batch: slicing clamps at the end, so the last batch
            # is simply shorter (as in Keras), and the epoch loss is weighted by batch size.
            def train_body(i: Any, total: Any) -> tuple[Any, Any]:
                xb = shuffled_x[:, i * batch:(i + 1) * batch]  # (input_length, batch, 1)
                yb = shuffled_y[i * batch:(i + 1) * batch]
                size = tf.cast(tf.shape(yb)[0], tf.float32)
                return i + 1, total + train_step(xb, yb, seed) * size

            _, total = tf.while_loop(lambda i, _: i < n_batches, train_body,
                                     (tf.constant(0), tf.constant(0.0)),
                                     maximum_iterations=n_batches)
            if not n_chunks:
                return total / n_train, tf.constant(np.nan, tf.float32)

            def val_body(i: Any, sse: Any) -> tuple[Any, Any]:
                out = _forward(tf, layers, prepared, xv[:, i * val_chunk:(i + 1) * val_chunk],
                               time_major=True)
                error = out - yv[i * val_chunk:(i + 1) * val_chunk]
                return i + 1, sse + tf.reduce_sum(tf.square(error))

            with tf.control_dependencies([total]):  # validate the weights after this epoch
                prepared = _prepare(tf, layers, effective(params), fused)
                _, sse = tf.while_loop(lambda i, _: i < n_chunks, val_body,
                                       (tf.constant(0), tf.constant(0.0)),
                                       maximum_iterations=n_chunks)
            return total / n_train, sse / (n_val * yv.shape[1])

        self.epoch = tf.function(epoch, reduce_retracing=False, jit_compile=jit, autograph=False)

    def snapshot(self) -> list[np.ndarray]:
        return [p.numpy() for p in self.params]


def train(
    model: keras.Model,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_val: np.ndarray | None,
    y_val: np.ndarray | None,
    config: TrainConfig,
    *,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TrainResult:
    """Train `model` in place with Adam on mean squared error, one compiled call per epoch.

    Batches are reshuffled every epoch by a numpy `Generator` seeded with `config.seed`, so the same
    data, model weights and config give the same history and weights. Early stopping watches
    `val_loss` (or `loss` without validation data) and stops after `config.patience` epochs
    without a new minimum (0 disables it). The model always ends with the best weights seen, also
    when `should_stop()` ends the run.

    Args:
        model: network from `build_model` (Input → LSTM × k [→ Dropout] → Dense).
        X_train: (n_train, input_length, 1) inputs. y_train: (n_train, horizon) targets.
        X_val, y_val: validation windows with the same shapes, or None / empty for none.
        config: epochs, batch size, learning rate, patience, seed.
        on_epoch: called after every epoch as `on_epoch(epoch, {"loss": float, "val_loss": float})`
            with `epoch` counted from 1 (`val_loss` is omitted without validation data).
        should_stop: polled after every epoch; returning True ends the training there.

    Returns:
        TrainResult with the trained model (best weights), history and timing.

    Raises:
        SettingsError: no training windows or windows of the wrong shape.
        ValueError: the model is not one this trainer supports.
    """
    started = time.perf_counter()
    layers = _describe(model)
    X_train, y_train, X_val, y_val = _checked_arrays(model, X_train, y_train, X_val, y_val)
    engine = _Engine(layers, config, len(X_train), len(X_val), fused=_FUSED, jit=_JIT)
    try:
        history, best_epoch, best_weights, stopped = _run_epochs(
            engine, (X_train, y_train, X_val, y_val), config, on_epoch, should_stop)
        variables = [v for layer in layers for v in layer.variables]
        for variable, value in zip(variables, best_weights, strict=True):
            variable.assign(value)
    finally:
        # Drop the traced graphs and optimizer state now, not at some later garbage collection.
        del engine
    return TrainResult(
        model=model,
        history=history,
        best_epoch=best_epoch,
        stopped=stopped,
        seconds=time.perf_counter() - started,
        epochs_run=len(history["loss"]),
    )


def _checked_arrays(
    model: Any, X_train: np.ndarray, y_train: np.ndarray, X_val: np.ndarray | None,
    y_val: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """float32 arrays of the model's shapes; empty validation arrays when there are none."""
    input_length, horizon = int(model.inputs[0].shape[1]), int(model.outputs[0].shape[-1])
    features = int(model.inputs[0].shape[2])
    X_train, y_train = _float_arrays("Training", X_train, y_train, input_length, horizon,
                                     features)
    if len(X_train) == 0:
        raise SettingsError("There are no training windows; use a shorter window or more data.")
    if X_val is None or y_val is None or len(X_val) == 0:
        X_val = np.zeros((0, input_length, features), np.float32)
        y_val = np.zeros((0, horizon), np.float32)
    X_val, y_val = _float_arrays("Validation", X_val, y_val, input_length, horizon, features)
    return X_train, y_train, X_val, y_val


def _run_epochs(
    engine: _Engine, arrays: tuple, config: TrainConfig,
    on_epoch: Callable[[int, dict[str, float]], None] | None,
    should_stop: Callable[[], bool] | None,
) -> tuple[dict[str, list[float]], int, list[np.ndarray], bool]:
    """The epoch loop: history, best epoch and weights (lowest monitored loss), stopped flag."""
    import tensorflow as tf

    X_train, _, X_val, _ = arrays
    has_val = len(X_val) > 0
    # The engine reads inputs time-major (see `_forward`); targets stay (n, horizon).
    tensors = [tf.constant(np.ascontiguousarray(a.transpose(1, 0, 2)) if a.ndim == 3 else a)
               for a in arrays]
    rng = np.random.default_rng(config.seed)
    dropout_seed = tf.constant(int(rng.integers(0, 2**31 - 1)), tf.int32)
    history: dict[str, list[float]] = {"loss": [], "val_loss": []}
    best, best_epoch, best_weights, stopped, waited = np.inf, 0, None, False, 0
    for epoch in range(1, config.epochs + 1):
        order = tf.constant(rng.permutation(len(X_train)).astype(np.int32))
        loss_t, val_t = engine.epoch(*tensors, order, dropout_seed)
        loss = float(loss_t)
        history["loss"].append(loss)
        logs = {"loss": loss}
        if has_val:
            logs["val_loss"] = float(val_t)
            history["val_loss"].append(logs["val_loss"])
        monitored = logs["val_loss"] if has_val else loss
        if monitored < best:
            best, best_epoch, waited = monitored, epoch, 0
            best_weights = engine.snapshot()
        else:
            waited += 1
        if on_epoch is not None:
            on_epoch(epoch, dict(logs))
        if not np.isfinite(monitored):
            break  # diverged: keep the best finite weights so far
        if should_stop is not None and should_stop():
            stopped = True
            break
        if config.patience and waited >= config.patience:
            break
    if best_weights is None:  # first epoch already diverged
        best_weights, best_epoch = engine.snapshot(), max(1, len(history["loss"]))
    return history, best_epoch, best_weights, stopped


class _Array:
    """A numpy array standing in for a Keras variable in a combined ensemble's `_Layer`s."""

    def __init__(self, value: np.ndarray) -> None:
        self.value = np.asarray(value, dtype=np.float32)
        self.shape = self.value.shape

    def numpy(self) -> np.ndarray:
        return self.value


def _gate_blocks(matrices: list[np.ndarray], diagonal: bool) -> tuple[np.ndarray, np.ndarray]:
    """Combine the members' LSTM kernels, gate by gate, into one kernel and its mask.

    Each member's kernel is `(rows, 4 * units)` with Keras' gate blocks [i | f | c | o]. The result
    has the gate blocks [i_1..i_K | f_1..f_K | c_1..c_K | o_1..o_K]; with `diagonal` the rows are
    stacked too and member k's rows only reach member k's columns (the mask is 1 there, 0
    elsewhere), so K independent LSTMs run as one.
    """
    k = len(matrices)
    rows, width = matrices[0].shape
    units = width // 4
    out_rows = rows * k if diagonal else rows
    combined = np.zeros((out_rows, 4 * units * k), np.float32)
    mask = np.zeros_like(combined) if diagonal else None
    for member, matrix in enumerate(matrices):
        r = slice(member * rows, (member + 1) * rows) if diagonal else slice(0, rows)
        for gate in range(4):
            c = slice((gate * k + member) * units, (gate * k + member + 1) * units)
            combined[r, c] = matrix[:, gate * units:(gate + 1) * units]
            if mask is not None:
                mask[r, c] = 1.0
    return combined, mask


def _split_gate_blocks(combined: np.ndarray, k: int, diagonal: bool) -> list[np.ndarray]:
    """Inverse of `_gate_blocks`: the members' own kernels back from the combined one."""
    rows = combined.shape[0] // k if diagonal else combined.shape[0]
    units = combined.shape[-1] // (4 * k)
    out = []
    for member in range(k):
        r = slice(member * rows, (member + 1) * rows) if diagonal else slice(0, rows)
        out.append(np.concatenate(
            [combined[r, (gate * k + member) * units:(gate * k + member + 1) * units]
             for gate in range(4)], axis=-1))
    return out


def _combine(members: list[tuple[_Layer, ...]]) -> tuple[tuple[_Layer, ...], list]:
    """One `_Layer` tuple computing K same-shaped networks side by side, and its masks."""
    k = len(members)
    combined, masks = [], []
    for index, layer in enumerate(members[0]):
        if layer.kind == "lstm":
            kernels = [m[index].variables[0].numpy() for m in members]
            recurrents = [m[index].variables[1].numpy() for m in members]
            biases = [m[index].variables[2].numpy()[None, :] for m in members]
            kernel, kernel_mask = _gate_blocks(kernels, diagonal=index > 0)
            recurrent, recurrent_mask = _gate_blocks(recurrents, diagonal=True)
            bias, _ = _gate_blocks(biases, diagonal=False)
            combined.append(_Layer("lstm", (_Array(kernel), _Array(recurrent), _Array(bias[0])),
                                   activation=layer.activation,
                                   return_sequences=layer.return_sequences))
            masks += [kernel_mask, recurrent_mask, None]
        elif layer.kind == "dense":
            kernels = [m[index].variables[0].numpy() for m in members]
            rows, horizon = kernels[0].shape
            kernel = np.zeros((rows * k, horizon * k), np.float32)
            mask = np.zeros_like(kernel)
            for member, matrix in enumerate(kernels):
                block = (slice(member * rows, (member + 1) * rows),
                         slice(member * horizon, (member + 1) * horizon))
                kernel[block], mask[block] = matrix, 1.0
            bias = np.concatenate([m[index].variables[1].numpy() for m in members])
            combined.append(_Layer("dense", (_Array(kernel), _Array(bias))))
            masks += [mask, None]
        else:
            combined.append(layer)
    return tuple(combined), masks


def _member_weights(layers: tuple[_Layer, ...], values: list[np.ndarray], k: int) -> list[list]:
    """Split the combined weights back into each member's Keras-layout weights."""
    members: list[list] = [[] for _ in range(k)]
    position = 0
    for index, layer in enumerate(layers):
        if layer.kind == "lstm":
            kernel, recurrent, bias = values[position:position + 3]
            position += 3
            parts = zip(_split_gate_blocks(kernel, k, diagonal=index > 0),
                        _split_gate_blocks(recurrent, k, diagonal=True),
                        _split_gate_blocks(bias[None, :], k, diagonal=False), strict=True)
            for member, (kr, rc, bs) in enumerate(parts):
                members[member] += [kr, rc, bs[0]]
        elif layer.kind == "dense":
            kernel, bias = values[position:position + 2]
            position += 2
            rows, horizon = kernel.shape[0] // k, kernel.shape[1] // k
            for member in range(k):
                r = slice(member * rows, (member + 1) * rows)
                c = slice(member * horizon, (member + 1) * horizon)
                members[member] += [kernel[r, c], bias[c]]
    return members


def train_ensemble(
    models: list[keras.Model],
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_val: np.ndarray | None,
    y_val: np.ndarray | None,
    config: TrainConfig,
    *,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[TrainResult]:
    """Train several same-shaped networks (an ensemble) at once, in one compiled step.

    The members run side by side as one wider network whose weights are block-diagonal (masks keep
    the members apart), so an epoch costs little more than one member's: most of an epoch's time is
    fixed per-operation overhead, not arithmetic. The loss is the mean of the members' mean squared
    errors; Adam is element-wise, so each member follows the path it would alone with the same batch
    order (up to Adam's epsilon). They share the batch order (seeded by `config.seed`) and the
    early-stopping epoch (lowest mean validation loss). With one model this is `train`.

    Args:
        models: networks from `build_model` with the same window and shape (different seeds).
        X_train, y_train, X_val, y_val, config, on_epoch, should_stop: as for `train`; `on_epoch`
            sees the members' mean losses.

    Returns:
        One `TrainResult` per member (the same history, best epoch and timing), each model holding
        its own best weights.
    """
    if len(models) == 1:
        return [train(models[0], X_train, y_train, X_val, y_val, config, on_epoch=on_epoch,
                      should_stop=should_stop)]
    started = time.perf_counter()
    members = [_describe(model) for model in models]
    if len({_signature(layers) for layers in members}) != 1:
        raise ValueError("Ensemble members must share one architecture.")
    k = len(models)
    X_train, y_train, X_val, y_val = _checked_arrays(models[0], X_train, y_train, X_val, y_val)
    layers, masks = _combine(members)
    # Every member forecasts the same targets: the combined output is K copies side by side.
    arrays = (X_train, np.tile(y_train, (1, k)), X_val, np.tile(y_val, (1, k)))
    engine = _Engine(layers, config, len(X_train), len(X_val), fused=_FUSED, jit=_JIT,
                     masks=masks)
    try:
        history, best_epoch, best_weights, stopped = _run_epochs(
            engine, arrays, config, on_epoch, should_stop)
    finally:
        del engine
    for model_layers, values in zip(members, _member_weights(layers, best_weights, k),
                                    strict=True):
        variables = [v for layer in model_layers for v in layer.variables]
        for variable, value in zip(variables, values, strict=True):
            variable.assign(value)
    seconds = time.perf_counter() - started
    return [TrainResult(model=model, history={k_: list(v) for k_, v in history.items()},
                        best_epoch=best_epoch, stopped=stopped, seconds=seconds,
                        epochs_run=len(history["loss"]))
            for model in models]


class _FunctionCache:
    """Small LRU of compiled inference functions keyed by architecture (weights are arguments).

    Weights are passed in on every call, so a cached function holds no model and any number of
    models with the same shape share one trace.
    """

    def __init__(self, size: int = 16) -> None:
        self._items: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get(self, key: tuple, build: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        function = build()
        with self._lock:
            function = self._items.setdefault(key, function)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return function


_CACHE = _FunctionCache()


def _weights(layers: tuple[_Layer, ...]) -> list:
    return [v.value for layer in layers for v in layer.variables]


def predict(model: keras.Model, X: np.ndarray, *, batch_size: int = _EVAL_CHUNK) -> np.ndarray:
    """Run the model on many windows without `model.predict`'s per-call overhead.

    Args:
        model: a network from `build_model` (or any Keras model, called directly).
        X: (n, input_length, features) or (n, input_length) inputs (one feature).
        batch_size: windows per compiled call (bounds memory).

    Returns:
        (n, horizon) float32 forecasts.
    """
    import tensorflow as tf

    X = np.asarray(X, dtype=np.float32)
    if X.ndim == 2:
        X = X[:, :, None]
    try:
        layers = _describe(model)
    except ValueError:
        layers = None
    if layers is None:
        chunks = [np.asarray(model(X[i:i + batch_size], training=False))
                  for i in range(0, len(X), batch_size)]
    else:
        def build() -> Any:
            return tf.function(
                lambda weights, x: _forward(tf, layers, _prepare(tf, layers, weights, _FUSED), x),
                reduce_retracing=True, autograph=False,
            )

        function = _CACHE.get(("predict", _FUSED, _signature(layers)), build)
        weights = _weights(layers)
        chunks = [function(weights, tf.constant(X[i:i + batch_size])).numpy()
                  for i in range(0, len(X), batch_size)]
    horizon = int(model.outputs[0].shape[-1])
    return np.concatenate(chunks) if chunks else np.zeros((0, horizon), np.float32)


def recursive_forecast(model: keras.Model, window: np.ndarray, steps: int) -> np.ndarray:
    """Forecast `steps` values by feeding the model its own output, in one compiled loop.

    A one-step model (horizon 1) predicts the next value, which is appended to the window and the
    oldest value dropped, `steps` times. A model with horizon h > 1 advances h values per step.

    Args:
        model: network from `build_model`, input `(batch, input_length, 1)`.
        window: the last `input_length` values (scaled as in training), shape (input_length,)
            or (input_length, 1).
        steps: number of future values, at least 1.

    Returns:
        (steps,) float32 forecasts in the model's (scaled) units.

    Raises:
        SettingsError: window of the wrong length or steps below 1.
    """
    import tensorflow as tf

    input_length, horizon = int(model.inputs[0].shape[1]), int(model.outputs[0].shape[-1])
    values = np.asarray(window, dtype=np.float32).reshape(-1)
    if values.shape != (input_length,):
        raise SettingsError(
            f"The forecast window must hold {input_length} values, got {values.size}."
        )
    if not np.isfinite(values).all():
        raise SettingsError("The forecast window contains missing values; fill them first.")
    if int(steps) < 1:
        raise SettingsError(f"steps must be at least 1, got {steps}.")
    rounds = -(-int(steps) // horizon)
    layers = _describe(model)

    def build() -> Any:
        def run(weights: list, start: Any, n_rounds: Any) -> Any:
            prepared = _prepare(tf, layers, weights, _FUSED)  # once, outside the loop

            def body(r: Any, current: Any, outputs: Any) -> tuple:
                step = _forward(tf, layers, prepared, current[None, :, None])[0]  # (horizon,)
                following = tf.concat([current, step], axis=0)[-input_length:]
                return r + 1, following, outputs.write(r, step)

            _, _, outputs = tf.while_loop(
                lambda r, *_: r < n_rounds, body,
                (tf.constant(0), start, tf.TensorArray(tf.float32, size=n_rounds)),
            )
            return outputs.concat()

        return tf.function(run, reduce_retracing=True, autograph=False)

    function = _CACHE.get(("recursive", _FUSED, _signature(layers)), build)
    result = function(_weights(layers), tf.constant(values), tf.constant(rounds, tf.int32))
    return result.numpy()[: int(steps)]
