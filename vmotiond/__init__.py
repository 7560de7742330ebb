"""vmotiond: host-failure recovery for OpenStack compute."""
