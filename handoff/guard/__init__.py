"""The reply guard: what an employee's reply should not carry to a customer (check.py,
pure) and its vocabulary (words.py).
"""
