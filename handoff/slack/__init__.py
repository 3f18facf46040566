"""The Slack adapter: bolt listeners, Block Kit, the outbound desk and its outbox, the
inbox, ``/tandem`` commands, the HTTP gate and doctor checks. The only place that
imports ``slack_bolt`` and ``slack_sdk``.
"""
