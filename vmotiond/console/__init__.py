"""The operator console: the vmotion management pages under ``/vmotion/``."""
