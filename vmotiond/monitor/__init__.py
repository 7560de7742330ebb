"""The host monitor: polling, the host state machine, inventory sync, leader
election and the notifications it emits and hears."""
