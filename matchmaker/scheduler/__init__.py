"""The worker's scheduler: housekeeping jobs run on a schedule, one worker at a time."""
