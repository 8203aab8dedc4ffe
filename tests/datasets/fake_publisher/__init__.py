"""A made-up publisher, as a new maintainer would add one: URLs, a parser, one declaration.

It lives in the test tree; adding it to a code location is this folder plus one line (the
publisher list given to `build_definitions`).
"""
