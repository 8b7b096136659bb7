"""How intervene is shown: the Textual app, the command line, charts and documents.

Importing the package first routes ``dataclasses``' method compiles through a cache kept
beside the bytecode (``tui.dataclass_code``): every start of the app or a command makes the
same ~240 dataclass methods, and compiling them was the largest single cost of a start.
"""

from tui.dataclass_code import install as _install_dataclass_code

_install_dataclass_code()
