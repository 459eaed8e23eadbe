"""pmo-ledger service layer: the domain model and the event-sourced application."""
