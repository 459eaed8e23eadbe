"""Read models that follow the event store's notification log."""
