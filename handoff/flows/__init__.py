"""The use cases: what happens when a customer writes, an employee replies or presses a
button. Channel- and SDK-free: they talk through the ports in handoff/core/ports.py and
the stores in handoff/storage.
"""
