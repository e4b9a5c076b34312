"""Between the portfolio and the solver: records to arrays, and solutions back to proposals.

``scope`` says which needs a run considers; ``load`` reads the open portfolio and the earlier
proposals that constrain it; ``encode`` builds the solver's arrays and :class:`solver.Problem`;
``decode`` turns a :class:`solver.Solution` into proposal drafts and the run's result;
``write`` supersedes earlier solver proposals and stores the new ones.
"""
