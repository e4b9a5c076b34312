"""Solver runs: the solver page and API (controllers, views), who may run which scope
(services, schemas), the worker that claims and carries out runs (worker, execute) and the
command-line entry points (commands)."""
