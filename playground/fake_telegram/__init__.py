"""A local fake of the Telegram Bot API (long polling and webhooks), strict as the
documented API. Imports nothing of the product.
"""
