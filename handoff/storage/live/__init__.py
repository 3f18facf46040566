"""Short-lived state of the flows: pauses and notices, flood counters, replies the guard holds,
armed rating comments, measured response times."""
