"""Understanding and answering (the bottom layer): the Rasa client and its local server, the
triage policy, the business's facts (stores, answers, notices, the employee directory) and
their evaluation. Imports nothing of handoff or bot, and no Redis, Telegram or Slack."""
