"""The dashboard's pages: signing in, the conversation list and exports, one conversation,
and the reports."""
