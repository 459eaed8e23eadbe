"""The use cases: one typed entry point per workflow, and the composition root.

HTTP resources, UI views and CLI commands call these; they hold no business
rule themselves. `usecases.root` builds everything from settings.
"""
