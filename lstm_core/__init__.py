"""LSTM Forecast Studio engine: data loading, training, forecasting and run storage.

This package never imports streamlit, and imports TensorFlow/Keras only inside the functions that
build, train or run a model, so that loading data stays fast.
"""

import os

__version__ = "0.1.0"

# TensorFlow's C++ warnings (CUDA probing on a CPU machine, kernel tips) are noise for our users.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
