"""LSTM Forecast Studio engine: data loading, training, forecasting and run storage.

This package never imports streamlit, and imports TensorFlow/Keras only inside the functions that
build, train or run a model, so that loading data stays fast.
"""

__version__ = "0.1.0"
