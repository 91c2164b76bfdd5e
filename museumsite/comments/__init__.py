"""Comments: archives into threads, new comments from a form or an e-mail, moderation in files."""
