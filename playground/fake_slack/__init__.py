"""A local fake of Slack's Web API, Events API, Socket Mode and interactivity, strict as
the documented API. Imports nothing of the product.
"""
