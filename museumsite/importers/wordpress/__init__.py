"""WordPress (WXR) exports into posts, pages and comment archives."""
