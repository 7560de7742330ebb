"""The engine: intake, fencing, planning and running the moves.

``EngineManager`` wires it from config; ``intents``, ``ordering`` and
``planner`` hold the pure decisions (what to do with each instance, in
which order, to which host); ``recovery`` and ``workflow`` run a
notification; ``steps`` are the verbs a vmove is made of.
``doc/architecture.md`` maps the modules.
"""
