"""contractgen: data contracts compiled into typed, load-time-checked client packages."""

__version__ = "0.1.0"
