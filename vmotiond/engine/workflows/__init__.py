"""One notification's run from claim to verdict: the shape every kind
shares (``workflow``) and one small subclass per kind (``recovery``,
``drain``, ``custom_migration``, ``reset_state``, ``move_back``,
``release``), with what they act on before the moves (``fence``,
``standby``, ``server_groups``)."""
