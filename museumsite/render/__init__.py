"""Stage 4: the page plan, the theme environment, the template API, pages, structured data, sitemap, search."""
