"""The engine: intake, fencing, planning and running the moves.

``EngineManager`` wires it from config; ``planner`` holds the pure
decisions (which instance goes where, in which order); ``steps`` the verbs
a vmove is made of. See each module's docstring.
"""
