"""Personal data sealed with a key per data subject, and erased by destroying it."""
