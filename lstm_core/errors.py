"""Errors a user can cause. Each message is one plain sentence that says what to do."""


class DataError(ValueError):
    """The input data cannot be used as a time series."""


class SettingsError(ValueError):
    """A setting is outside what the model can be trained with."""


class BundleError(ValueError):
    """A run bundle is not one this program wrote, or cannot be loaded safely."""
