"""The advisor's workspace routes: conversations, tickets, replies, offers, history, search."""
