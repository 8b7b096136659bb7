"""Screen-ready data: what the screens and the command line show, as plain values.

Views read through the Store's public API and the pure functions of ``store``; they return
values and style keys, never widgets or Rich renderables, and never import Textual or Rich
(``tests/test_layering_tui.py``). The Rich ``Text`` builders live in ``tui/widgets``.
"""
