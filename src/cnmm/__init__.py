"""cnmm: the CNCF Cloud Native Maturity Model as working software."""

__version__ = "0.1.0"
MODEL_VERSION = "4.0-beta"
