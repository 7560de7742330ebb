"""Console entry points; each wires parts together and nothing else."""
