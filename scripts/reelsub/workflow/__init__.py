"""Running the workflow: config and film sheet checks, settings, hardware, scheduling, stages, summary."""
