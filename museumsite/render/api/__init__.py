"""The template API: what a theme's templates may call, the boundary users' themes depend on.

- ``context``: ``HelperContext``, what the helpers read (the site, its config, the interface
  strings), made once per build; the page's own language comes from the template's context.
- ``links``, ``dates``, ``languages``, ``media``, ``programme``, ``comments``: the helpers,
  plain module-level functions grouped by concern.
- ``registry``: ``Registry``, the one table of globals and filters the Jinja environment is
  filled from (``register(name, function, kind=..., doc=...)``); ``builtin`` fills it.
- ``page``: ``PageContext``, the variables every page template receives.

README.md's "Template reference" lists every registered name and page variable
(tests/render/test_template_api.py keeps the two equal).
"""
