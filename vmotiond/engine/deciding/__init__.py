"""Deciding, with pure functions: which host may receive instances
(``eligibility``), what happens to each instance (``intents``), in which
order (``ordering``) and where it goes (``planner``), over the frozen
records of ``records`` and the step and reason names of ``names``."""
