"""The only code of vmotiond that calls OpenStack."""
