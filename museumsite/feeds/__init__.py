"""Every feed: posts, comments, an event's programme (Atom, RSS, JSON Feed), and the feeds page."""
