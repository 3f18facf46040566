"""Development stand-ins: fake Telegram and Slack servers that speak the real HTTP contracts
(fake_telegram/, fake_slack/: they import nothing of the product) and the side-by-side page.
Production imports it in one place, bot/runtime.py, which starts it for ``make run``."""
