"""The business's facts as the bot answers them: stores and hours, answers, notices, the
employee directory, and the YAML loading they share.
"""
