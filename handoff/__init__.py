"""The conversation between customer and staff (the middle layer): the pure core, all Redis
state, the durable queues, the flows (use cases), the Slack adapter and the supervisors'
dashboard. Imports nlu, never bot; docs/layout.md says which folder may import which."""
